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
// sets the object attribute (content type and metadata) and a fresh
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
	if !b.cfg.attrs && (len(opts.Metadata) > 0 || opts.ContentType != backend.DefaultContentType) {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrNotSupported, errors.New(
			"this store was opened with WithoutMetadata (its file system has no user extended attributes), so objects cannot keep metadata or a content type"))
	}
	if err := b.check(ctx, "put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	w := &tempWriter{b: b, key: key, path: p, dir: parentDir(p)}
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
		err = w.commit(ctx, opts)
	}
	if err != nil {
		return backend.ObjectInfo{}, b.wrap("put", key, err)
	}
	done = true
	return info, nil
}

// tempWriter is one Put in progress.
type tempWriter struct {
	b         *Backend
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
			return w.b.conflictAbove(w.key, conflict)
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
				return w.b.conflictAbove(w.key, conflict)
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

// write streams r into the temp file, sets the object attribute and the
// modification time, fsyncs and closes the file.
func (w *tempWriter) write(ctx context.Context, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	n, err := w.copyData(ctx, r, opts.Size)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	return w.finish(ctx, n, opts)
}

// finish completes the temp file that holds the object's n bytes (written
// by copyData, or by Compose, compose.go): it sets the object attribute
// and the modification time, fsyncs and closes the file.
func (w *tempWriter) finish(ctx context.Context, n int64, opts backend.PutOptions) (backend.ObjectInfo, error) {
	var info backend.ObjectInfo
	if err := ctx.Err(); err != nil {
		return info, err
	}
	if w.b.cfg.attrs {
		if err := setAttr(w.f, encodeAttrs(opts.ContentType, opts.Metadata)); err != nil {
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
			return info, backend.NewError("put", w.key, backend.ErrNotSupported, fmt.Errorf(
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
	return plainInfo(w.key, st, attrs{contentType: opts.ContentType, metadata: opts.Metadata}), nil
}

// copyData copies the bytes of r into the temp file, checking the
// context and a known size. A reader that holds its bytes in memory
// (*bytes.Reader, *strings.Reader, *bytes.Buffer: io.WriterTo) writes
// them straight into the file, without a copy through a buffer; any
// other reader goes through a pooled 256 KiB buffer.
func (w *tempWriter) copyData(ctx context.Context, r io.Reader, size int64) (int64, error) {
	if wt, ok := r.(io.WriterTo); ok && size >= 0 {
		sw := &sizedWriter{ctx: ctx, f: w.f, left: size}
		n, err := wt.WriteTo(sw)
		switch {
		case sw.over:
			return n, backend.NewError("put", w.key, backend.ErrInvalidArgument,
				fmt.Errorf("reader delivered more than the declared size of %d bytes", size))
		case err != nil:
			return n, err
		case n != size:
			return n, backend.NewError("put", w.key, backend.ErrInvalidArgument,
				fmt.Errorf("reader ended after %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF))
		}
		return n, nil
	}
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp) // also when r panics
	return io.CopyBuffer(onlyWriter{w.f}, backend.ContextReader(ctx, backend.ExactReader(w.key, r, size)), *bufp)
}

// sizedWriter writes into the temp file at most left bytes, checking the
// context before each write.
type sizedWriter struct {
	ctx  context.Context
	f    *os.File
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
	n, err := s.f.Write(p)
	s.left -= int64(n)
	return n, err
}

// onlyWriter hides the ReadFrom of *os.File, which io.CopyBuffer would
// call in place of using the pooled buffer (and which would allocate its
// own for a reader that is no file).
type onlyWriter struct{ io.Writer }

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
// durable.
func (w *tempWriter) commit(ctx context.Context, opts backend.PutOptions) error {
	b := w.b
	if beforeCommit != nil {
		beforeCommit(w.tmp)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if opts.IfNotExist {
		if err := b.linkNew(ctx, w.tmp, w.path, w.key); err != nil {
			return err
		}
		w.committed = true
		if err := b.root.Remove(w.tmp); err == nil || isNotExist(err) {
			w.tmp = ""
		}
	} else {
		current, exists, release, err := b.lockVersion(w.path, w.key, opts.IfMatch)
		if err != nil {
			return err
		}
		defer release()
		if err := backend.CheckIfMatch(w.key, opts.IfMatch, current, exists); err != nil {
			return err
		}
		if err := b.renameOver(ctx, w.tmp, w.path, w.key); err != nil {
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
func (b *Backend) renameOver(ctx context.Context, tmp, p, key string) error {
	for attempt := 1; ; attempt++ {
		err := b.root.Rename(tmp, p)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EISDIR) && !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
			return err
		}
		if err := b.replaceDir(ctx, p, key, attempt); err != nil {
			return err
		}
	}
}

// linkNew hard-links the temp file to the key. link(2) fails with EEXIST
// if anything exists at the key, atomically: of two concurrent
// create-only Puts exactly one succeeds. A tree of empty directories at
// the key is removed and the link tried again, as in renameOver.
func (b *Backend) linkNew(ctx context.Context, tmp, p, key string) error {
	for attempt := 1; ; attempt++ {
		err := b.root.Link(tmp, p)
		if err == nil {
			return nil
		}
		switch {
		case errors.Is(err, iofs.ErrExist):
			fi, lerr := b.root.Lstat(p)
			if lerr != nil || !fi.IsDir() {
				return backend.NewError("put", key, backend.ErrExist, nil)
			}
			if err := b.replaceDir(ctx, p, key, attempt); err != nil {
				return err
			}
		case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.EMLINK):
			return backend.NewError("put", key, backend.ErrNotSupported,
				fmt.Errorf("create-only put needs hard links, which this file system refused: %w", err))
		default:
			return err
		}
	}
}

// replaceDir removes the tree of empty directories at p, the key's path,
// so that the commit can be tried again, and returns the conflict error
// when the tree holds something else or keeps coming back.
func (b *Backend) replaceDir(ctx context.Context, p, key string, attempt int) error {
	bl := b.removeEmptyTree(p)
	if bl == nil && attempt < maxReplaceDirAttempts {
		return nil
	}
	if bl == nil {
		bl = &blocker{path: p, err: &iofs.PathError{Op: "rmdir", Path: p, Err: syscall.ENOTEMPTY}}
	}
	return b.conflictBelow(ctx, key, *bl)
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
func (b *Backend) conflictAbove(key, conflict string) error {
	other, ok := pathToKey(conflict)
	if !ok {
		return backend.NewError("put", key, backend.ErrExist,
			fmt.Errorf("%q is a file whose name no key maps to, where the key needs a directory", conflict))
	}
	return backend.NewError("put", key, backend.ErrExist,
		fmt.Errorf("object %q exists, and the fs driver cannot store a key below another key (%q is a file, not a directory)", other, other))
}

// conflictBelow is the error of a Put whose key is a directory that
// could not be replaced: it names one object below the key if there is
// one, and otherwise the blocker, with what to do about it.
func (b *Backend) conflictBelow(ctx context.Context, key string, bl blocker) error {
	page, err := b.list(ctx, backend.ListOptions{Prefix: key + "/", PageSize: 1})
	if err == nil && len(page.Objects) > 0 {
		return backend.NewError("put", key, backend.ErrExist,
			fmt.Errorf("object %q exists, and the fs driver cannot store a key that is also the directory of other keys", page.Objects[0].Key))
	}
	if bl.err != nil {
		return backend.NewError("put", key, backend.ErrExist,
			fmt.Errorf("%q is a directory that cannot be replaced (%w): %s", key, bl.err, bl.describe(b, key)))
	}
	return backend.NewError("put", key, backend.ErrExist,
		fmt.Errorf("%q is a directory that holds no objects but is not empty: %s", key, bl.describe(b, key)))
}
