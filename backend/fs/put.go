package fs

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"sync"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

// beforeCommit, when set (only by this package's tests), runs after the
// temp file is complete and synced, right before it is renamed or linked
// over the key: the point where a crash must leave the old version.
var beforeCommit func(tmpPath string)

// copyBufs recycles the copy buffers of Put.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// Put writes the object to a temp file in the key's directory (header
// space reserved, data streamed while its MD5 is computed, header written
// in place), fsyncs it, and then renames it over the key (or, with
// IfNotExist, hard-links it to the key, which fails atomically if the key
// exists) and fsyncs the directory. A failing or panicking reader, a size
// mismatch or a cancelled context before the rename removes the temp file
// and leaves the key as it was.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	p, err := keyToPath("put", key)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	hdrLen, err := reserveHeader(opts.ContentType, opts.Metadata)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrInvalidArgument, err)
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
	info, err := w.write(ctx, r, opts, hdrLen)
	if err == nil {
		err = w.commit(ctx, opts.IfNotExist)
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

// write streams r into the temp file after the reserved header space and
// then writes the header, fsyncs and closes the file.
func (w *tempWriter) write(ctx context.Context, r io.Reader, opts backend.PutOptions, hdrLen int64) (backend.ObjectInfo, error) {
	var info backend.ObjectInfo
	if _, err := w.f.Seek(hdrLen, io.SeekStart); err != nil {
		return info, err
	}
	sum := md5.New()
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp) // also when r panics
	n, err := io.CopyBuffer(io.MultiWriter(w.f, sum), backend.ContextReader(ctx, backend.ExactReader(w.key, r, opts.Size)), *bufp)
	if err != nil {
		return info, err
	}
	if err := ctx.Err(); err != nil {
		return info, err
	}
	h := header{Size: n, ETag: hex.EncodeToString(sum.Sum(nil)), ContentType: opts.ContentType, Metadata: opts.Metadata}
	hdr, err := encodeHeader(h, hdrLen)
	if err != nil {
		return info, err
	}
	if _, err := w.f.WriteAt(hdr, 0); err != nil {
		return info, err
	}
	if err := w.f.Sync(); err != nil {
		return info, err
	}
	fi, err := w.f.Stat()
	if err != nil {
		return info, err
	}
	err = w.f.Close()
	w.f = nil
	if err != nil {
		return info, err
	}
	return backend.ObjectInfo{
		Key:          w.key,
		Size:         n,
		LastModified: fi.ModTime().UTC(),
		ETag:         h.ETag,
		ContentType:  h.ContentType,
		Metadata:     h.Metadata,
	}, nil
}

// commit makes the temp file the object, atomically, and makes that
// durable.
func (w *tempWriter) commit(ctx context.Context, ifNotExist bool) error {
	b := w.b
	if beforeCommit != nil {
		beforeCommit(w.tmp)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ifNotExist {
		if err := b.linkNew(ctx, w.tmp, w.path, w.key); err != nil {
			return err
		}
		w.committed = true
		if err := b.root.Remove(w.tmp); err == nil || isNotExist(err) {
			w.tmp = ""
		}
	} else {
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
			fmt.Errorf("%q is a file that is not an object, where the key needs a directory", conflict))
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
