package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// beforeCommit, when set (only by this package's tests), runs after the
// temp file is complete and synced, right before it is renamed or linked
// over the key: the point where a crash must leave the old version.
var beforeCommit func(tmpPath string)

// copyBufs recycles the copy buffers of Put.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// Put writes the object's bytes to a temp file in the key's directory,
// computing their CRC-32C as they pass, sets the object attribute (content
// type, metadata, HTTP attributes and checksum: attrs.go) and a fresh
// modification time on it, fsyncs it, and then renames it over the key
// (or, with IfNotExist, hard-links it to the key, which fails atomically
// if the key exists) and fsyncs the directory. A failing or panicking
// reader, a size mismatch or a cancelled context before the rename
// removes the temp file and leaves the key as it was.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	p, err := keyToPath("put", key)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.checkAttrs("put", key, opts.ContentType, opts.Metadata, opts.HTTPAttributes); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check(ctx, "put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	w := &tempWriter{b: b, op: "put", key: key, path: p, dir: parentDir(p)}
	// Every exit but success aborts, a panic of r included: the deferred
	// abort closes and removes the temp file, and the panic goes on
	// unchanged to the caller. Without it a recovered panic left an open
	// descriptor and a temp file that blocked the directory's key until
	// the stale-temp cleanup.
	done := false
	defer func() {
		if !done {
			w.abort()
		}
	}()
	if err := w.create(ctx); err != nil {
		return backend.ObjectInfo{}, b.wrap("put", key, err)
	}
	info, err := w.write(ctx, r, opts)
	if err == nil {
		err = w.commit(ctx, opts.IfNotExist, opts.IfMatch)
	}
	if err != nil {
		return backend.ObjectInfo{}, b.wrap("put", key, err)
	}
	done = true
	return info, nil
}

// checkAttrs refuses, in a store opened WithoutMetadata, what only the
// object attribute could keep: metadata, a content type other than the
// default, HTTP attributes.
func (b *Backend) checkAttrs(op, key, contentType string, md map[string]string, http backend.HTTPAttributes) error {
	if b.cfg.attrs || len(md) == 0 && contentType == backend.DefaultContentType && http.IsZero() {
		return nil
	}
	return backend.NewError(op, key, backend.ErrNotSupported, errors.New(
		"this store was opened with WithoutMetadata (its file system has no user extended attributes), so objects cannot keep metadata, a content type or HTTP attributes"))
}

// tempWriter is one Put (or Compose, or Copy) in progress.
type tempWriter struct {
	b         *Backend
	op        string // "put", "compose", "copy": for the errors it makes
	key       string
	path, dir string   // the object's path and its directory
	tmp       string   // the temp file's path, once created
	f         *os.File // open while writing
	created   []string // directories this Put created
	committed bool
}

// create makes the key's directory and an exclusive temp file in it,
// retrying when a concurrent Remove prunes the directory in between.
func (w *tempWriter) create(ctx context.Context) error {
	b := w.b
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		created, conflict, err := b.mkdirAll(w.dir)
		w.created = append(w.created, created...)
		if conflict != "" {
			return w.b.conflictAbove(w.op, w.key, conflict)
		}
		if err == nil {
			w.tmp = joinPath(w.dir, newTempName())
			w.f, err = b.root.OpenFile(w.tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, b.cfg.fileMode)
			if err == nil {
				return nil
			}
			w.tmp = ""
		}
		switch {
		case errors.Is(err, syscall.ENOTDIR):
			// A component became a file after mkdirAll: find it.
			if _, conflict, _ := b.mkdirAll(w.dir); conflict != "" {
				return w.b.conflictAbove(w.op, w.key, conflict)
			}
		case errors.Is(err, iofs.ErrExist): // a temp name collision: draw again
		case isNotExist(err): // the directory was pruned by a concurrent Remove
		default:
			return err
		}
		if attempt >= maxMkdirRetries {
			return fmt.Errorf("directory %q kept disappearing while creating a temp file in it: %w", w.dir, err)
		}
	}
}

// write streams r into the temp file, sets the object attribute (with
// the CRC-32C of the bytes written) and the modification time, fsyncs and
// closes the file.
func (w *tempWriter) write(ctx context.Context, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	n, crc, err := w.copyData(ctx, r, opts.Size)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	return w.finish(ctx, n, attrs{contentType: opts.ContentType, metadata: opts.Metadata,
		http: opts.HTTPAttributes, checksum: crc32cChecksum(crc)})
}

// finish completes the temp file that holds the object's n bytes (written
// by copyData, or by Compose or Copy): it sets the object attribute with
// a and the modification time, fsyncs and closes the file. a.checksum
// must be the checksum of those bytes, or zero. In a store opened
// WithoutMetadata nothing of a is stored: the object has no checksum.
func (w *tempWriter) finish(ctx context.Context, n int64, a attrs) (backend.ObjectInfo, error) {
	var info backend.ObjectInfo
	if err := ctx.Err(); err != nil {
		return info, err
	}
	if w.b.cfg.attrs {
		if err := w.setAttr(encodeAttrs(a)); err != nil {
			return info, err
		}
	} else if n >= int64(len(magic)) {
		// Without the attribute, a file that starts with a v1 header
		// would read back without it.
		head := make([]byte, len(magic))
		if _, err := w.f.ReadAt(head, 0); err != nil {
			return info, err
		}
		if string(head) == magic {
			return info, backend.NewError(w.op, w.key, backend.ErrNotSupported, fmt.Errorf(
				"the data starts with the line %q, which marks a file of earlier versions of the fs driver; a store opened with WithoutMetadata cannot tell such data from such a file",
				strings.TrimSpace(magic)))
		}
	}
	if err := setMtime(w.f, uniqueMtime()); err != nil {
		return info, err
	}
	if err := w.f.Sync(); err != nil {
		return info, err
	}
	st, err := statFile(w.f)
	if err != nil {
		return info, err
	}
	err = w.f.Close()
	w.f = nil
	if err != nil {
		return info, err
	}
	if !w.b.cfg.attrs {
		a = attrs{contentType: backend.DefaultContentType}
	}
	return plainInfo(w.key, st, a), nil
}

// smallAttrLen is a record length that file systems with user extended
// attributes keep (ext4 keeps all the attributes of a file in one block:
// about 4 KiB less its headers). A record without HTTP attributes is at
// most about 3.1 KiB (a content type of 1 KiB, 2 KiB of metadata); long
// HTTP attributes make records of up to about 7.2 KiB, which ext4 refuses.
const smallAttrLen = 3 << 10

// setAttr sets the record on the temp file. When the file system refuses
// a record longer than smallAttrLen with an error that can mean "too long"
// (ENOSPC from ext4, E2BIG or ERANGE elsewhere), the error says so, with
// the length: ErrTooLarge, the kind of a full disk too (which ENOSPC may
// also mean), since the same put cannot succeed on this store as it is.
func (w *tempWriter) setAttr(rec []byte) error {
	err := setAttr(w.f, rec)
	if err == nil || len(rec) <= smallAttrLen || !attrTooLarge(err) {
		return err
	}
	return backend.NewError(w.op, w.key, backend.ErrTooLarge, fmt.Errorf(
		"the file system refused the object's attribute of %d bytes (content type, metadata and HTTP attributes) (%w): "+
			"it limits the extended attributes of a file (ext4: about 4 KiB in all); store shorter ones, or use XFS, btrfs or tmpfs", len(rec), err))
}

// copyData copies the bytes of r into the temp file, checking the
// context and a known size, and returns their number and CRC-32C. A
// reader that holds its bytes in memory (*bytes.Reader, *strings.Reader,
// *bytes.Buffer: io.WriterTo) writes them straight into the file, without
// a copy through a buffer; any other reader goes through a pooled 256 KiB
// buffer.
func (w *tempWriter) copyData(ctx context.Context, r io.Reader, size int64) (int64, uint32, error) {
	out := &crcFile{f: w.f}
	if wt, ok := r.(io.WriterTo); ok && size >= 0 {
		sw := &sizedWriter{ctx: ctx, out: out, left: size}
		n, err := wt.WriteTo(sw)
		switch {
		case sw.over:
			return n, 0, backend.NewError("put", w.key, backend.ErrInvalidArgument,
				fmt.Errorf("reader delivered more than the declared size of %d bytes", size))
		case err != nil:
			return n, 0, err
		case n != size:
			return n, 0, backend.NewError("put", w.key, backend.ErrInvalidArgument,
				fmt.Errorf("reader ended after %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF))
		}
		return n, out.crc, nil
	}
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp) // also when r panics
	n, err := io.CopyBuffer(out, backend.ContextReader(ctx, backend.ExactReader(w.key, r, size)), *bufp)
	return n, out.crc, err
}

// sizedWriter writes into the temp file at most left bytes, checking the
// context before each write.
type sizedWriter struct {
	ctx  context.Context
	out  *crcFile
	left int64
	over bool // a write went past the declared size
}

func (s *sizedWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(len(p)) > s.left {
		s.over = true
		return 0, errors.New("more bytes than the declared size")
	}
	n, err := s.out.Write(p)
	s.left -= int64(n)
	return n, err
}

// lastMtime is the modification time, in nanoseconds, that the last Put
// of this process gave its file.
var lastMtime atomic.Int64

// uniqueMtime returns the time now, in nanoseconds, but later than every
// value it returned before: no two Puts of this process give their files
// the same modification time, so that two versions of a key never have
// the same ETag even when the second file reuses the inode of the first
// (etagOf).
func uniqueMtime() int64 {
	now := time.Now().UnixNano()
	for {
		last := lastMtime.Load()
		next := max(now, last+1)
		if lastMtime.CompareAndSwap(last, next) {
			return next
		}
	}
}

// commit makes the temp file the object, atomically, and makes that
// durable: with ifNotExist only if the key holds nothing (ErrExist
// otherwise), with ifMatch only if the key's object has that ETag
// (ErrPreconditionFailed otherwise).
func (w *tempWriter) commit(ctx context.Context, ifNotExist bool, ifMatch string) error {
	b := w.b
	if beforeCommit != nil {
		beforeCommit(w.tmp)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ifNotExist {
		if err := b.linkNew(ctx, w.op, w.tmp, w.path, w.key); err != nil {
			return err
		}
		w.committed = true
		if err := b.root.Remove(w.tmp); err == nil || isNotExist(err) {
			w.tmp = ""
		}
	} else {
		current, exists, release, err := b.lockVersion(w.path, w.key, ifMatch)
		if err != nil {
			return err
		}
		defer release()
		if err := backend.CheckIfMatch(w.key, ifMatch, current, exists); err != nil {
			return err
		}
		if err := b.renameOver(ctx, w.op, w.tmp, w.path, w.key); err != nil {
			return err
		}
		w.committed = true
		w.tmp = ""
	}
	return w.syncDirs()
}

// maxReplaceDirAttempts bounds how often Put removes an empty directory
// tree at its key and tries again, when concurrent puts of keys below the
// key keep creating directories there.
const maxReplaceDirAttempts = 3

// renameOver renames the temp file over the key. rename(2) cannot replace
// a directory with a file: a tree of empty directories left at the key
// (by a crash of Remove, say) holds no objects, so it is removed, at
// every level, and the rename tried again; a directory that holds
// anything else is a conflict with the keys below it, and the error says
// what is there.
func (b *Backend) renameOver(ctx context.Context, op, tmp, p, key string) error {
	for attempt := 1; ; attempt++ {
		err := b.root.Rename(tmp, p)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EISDIR) && !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
			return err
		}
		if err := b.replaceDir(ctx, op, p, key, attempt); err != nil {
			return err
		}
	}
}

// linkNew hard-links the temp file to the key. link(2) fails with EEXIST
// if anything exists at the key, atomically: of two concurrent
// create-only Puts exactly one succeeds. A tree of empty directories at
// the key is removed and the link tried again, as in renameOver.
func (b *Backend) linkNew(ctx context.Context, op, tmp, p, key string) error {
	for attempt := 1; ; attempt++ {
		err := b.root.Link(tmp, p)
		if err == nil {
			return nil
		}
		switch {
		case errors.Is(err, iofs.ErrExist):
			fi, lerr := b.root.Lstat(p)
			if lerr != nil || !fi.IsDir() {
				return backend.NewError(op, key, backend.ErrExist, nil)
			}
			if err := b.replaceDir(ctx, op, p, key, attempt); err != nil {
				return err
			}
		case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.EMLINK):
			return backend.NewError(op, key, backend.ErrNotSupported,
				fmt.Errorf("create-only put needs hard links, which this file system refused: %w", err))
		default:
			return err
		}
	}
}

// replaceDir removes the tree of empty directories at p, the key's path,
// so that the commit can be tried again, and returns the conflict error
// when the tree holds something else or keeps coming back.
func (b *Backend) replaceDir(ctx context.Context, op, p, key string, attempt int) error {
	bl := b.removeEmptyTree(p)
	if bl == nil && attempt < maxReplaceDirAttempts {
		return nil
	}
	if bl == nil {
		bl = &blocker{path: p, err: &iofs.PathError{Op: "rmdir", Path: p, Err: syscall.ENOTEMPTY}}
	}
	return b.conflictBelow(ctx, op, key, *bl)
}

// syncDirs fsyncs the object's directory and the parents of the
// directories this Put created, so that the object's whole path survives
// a crash once Put returns.
func (w *tempWriter) syncDirs() error {
	dirs := []string{w.dir}
	for _, d := range w.created {
		dirs = append(dirs, parentDir(d))
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		if err := w.b.syncDir(d); err != nil && !isNotExist(err) {
			return err
		}
	}
	return nil
}

// abort removes what a failed Put left: the temp file and the directories
// that are now empty. A committed object is never touched.
func (w *tempWriter) abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.tmp != "" {
		_ = w.b.root.Remove(w.tmp)
	}
	if !w.committed {
		w.b.pruneDirs(w.dir)
	}
}

// conflictAbove is the error of a Put whose key lies below another
// object: the file at path conflict blocks the directory the key needs.
func (b *Backend) conflictAbove(op, key, conflict string) error {
	other, ok := pathToKey(conflict)
	if !ok {
		return backend.NewError(op, key, backend.ErrExist,
			fmt.Errorf("%q is a file whose name no key maps to, where the key needs a directory", conflict))
	}
	return backend.NewError(op, key, backend.ErrExist,
		fmt.Errorf("object %q exists, and the fs driver cannot store a key below another key (%q is a file, not a directory)", other, other))
}

// conflictBelow is the error of a Put whose key is a directory that
// could not be replaced: it names one object below the key if there is
// one, and otherwise the blocker, with what to do about it.
func (b *Backend) conflictBelow(ctx context.Context, op, key string, bl blocker) error {
	page, err := b.list(ctx, backend.ListOptions{Prefix: key + "/", PageSize: 1})
	if err == nil && len(page.Objects) > 0 {
		return backend.NewError(op, key, backend.ErrExist,
			fmt.Errorf("object %q exists, and the fs driver cannot store a key that is also the directory of other keys", page.Objects[0].Key))
	}
	if bl.err != nil {
		return backend.NewError(op, key, backend.ErrExist,
			fmt.Errorf("%q is a directory that cannot be replaced (%w): %s", key, bl.err, bl.describe(b, key)))
	}
	return backend.NewError(op, key, backend.ErrExist,
		fmt.Errorf("%q is a directory that holds no objects but is not empty: %s", key, bl.describe(b, key)))
}
