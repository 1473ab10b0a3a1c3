//go:build linux

package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/objstore-dev/objstore/backend"
)

// The fs driver composes only on Linux, with copy_file_range(2); elsewhere
// it has no Composer, and the client streams the chunks through Put.
var _ backend.Composer = (*Backend)(nil)

// beforeComposeSource, when set (only by this package's tests), runs
// before Compose opens the source srcs[i].
var beforeComposeSource func(i int, key string)

// noCopyFileRange is set once copy_file_range(2) turned out to be missing
// (ENOSYS: Linux before 4.5, or a seccomp filter that refuses it); tests
// set it to exercise the buffered copy.
var noCopyFileRange atomic.Bool

// maxCopyRange is the most bytes one copy_file_range(2) call is asked
// for, so that a cancelled context is seen between calls.
const maxCopyRange = 64 << 20

// Compose writes the bytes of srcs, in order, into a temp file in dst's
// directory with copy_file_range(2), which copies inside the kernel (and
// shares the blocks, on a file system with reflinks, such as XFS and
// Btrfs); where the kernel or file system refuses it (ENOSYS, EXDEV,
// EOPNOTSUPP, EINVAL) the rest goes through a buffer. The temp file is
// then committed as Put commits its own (tempWriter, put.go): the object
// attribute with opts.ContentType and opts.Metadata, a fresh modification
// time, fsync, rename over dst, fsync of the directory. So dst is atomic,
// and on any error (ctx included) the temp file is removed and dst left
// as it was.
//
// Each source is opened as Get opens it (openObject: confined to the
// store, a v1 header skipped), and must hold the Size it was listed with
// (and its ETag, when the listing gave one): a source that changed since
// it was listed, or is missing, fails the compose (ErrNotFound for a
// missing one), naming it. A source replaced after it was opened is read
// whole in the version that was opened, as a Get would.
func (b *Backend) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	const op = "compose"
	p, err := keyToPath(op, dst)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	md, err := backend.NormalizeMetadata(op, dst, opts.Metadata)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	ct, err := backend.NormalizeContentType(op, dst, opts.ContentType)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	paths := make([]string, len(srcs))
	var total int64
	for i, s := range srcs {
		if paths[i], err = keyToPath(op, s.Key); err != nil {
			return backend.ObjectInfo{}, err
		}
		total += s.Size
	}
	if !b.cfg.attrs && (len(md) > 0 || ct != backend.DefaultContentType) {
		return backend.ObjectInfo{}, backend.NewError(op, dst, backend.ErrNotSupported, errors.New(
			"this store was opened with WithoutMetadata (its file system has no user extended attributes), so objects cannot keep metadata or a content type"))
	}
	if err := b.check(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	popts := backend.PutOptions{Size: total, ContentType: ct, Metadata: md}
	w := &tempWriter{b: b, key: dst, path: p, dir: parentDir(p)}
	done := false
	defer func() {
		if !done {
			w.abort()
		}
	}()
	if err := w.create(ctx); err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	c := composeCopier{ctx: ctx, b: b, out: w.f, buffered: noCopyFileRange.Load()}
	for i, s := range srcs {
		if beforeComposeSource != nil {
			beforeComposeSource(i, s.Key)
		}
		if err := c.copySource(paths[i], s); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	info, err := w.finish(ctx, total, popts)
	if err == nil {
		err = w.commit(ctx, popts)
	}
	if err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	done = true
	return info, nil
}

// composeCopier appends sources to the temp file of one Compose.
type composeCopier struct {
	ctx      context.Context
	b        *Backend
	out      *os.File // the temp file, written at its file offset
	buffered bool     // copy_file_range was refused: copy through a buffer
}

// copySource appends the bytes of the source s, at path p, to the temp
// file.
func (c *composeCopier) copySource(p string, s backend.ObjectInfo) error {
	const op = "compose"
	if err := c.ctx.Err(); err != nil {
		return backend.NewError(op, s.Key, nil, err)
	}
	o, err := c.b.openObject(p, s.Key, nil)
	if err != nil {
		return c.b.wrap(op, s.Key, err)
	}
	defer o.f.Close()
	switch {
	case o.info.Size != s.Size:
		return backend.NewError(op, s.Key, nil, fmt.Errorf(
			"the source holds %d bytes where it was listed with %d: it changed since it was listed", o.info.Size, s.Size))
	case s.ETag != "" && !backend.ETagsEqual(s.ETag, o.info.ETag):
		return backend.NewError(op, s.Key, nil, fmt.Errorf(
			"the source's ETag is %q where it was listed with %q: it changed since it was listed", o.info.ETag, s.ETag))
	}
	off, left := o.dataOff, s.Size
	for left > 0 {
		if err := c.ctx.Err(); err != nil {
			return backend.NewError(op, s.Key, nil, err)
		}
		var n int
		if !c.buffered {
			n, err = c.copyRange(o.f.fd, &off, int(min(left, maxCopyRange)))
			if err != nil && refusedCopyRange(err) {
				if errors.Is(err, unix.ENOSYS) {
					noCopyFileRange.Store(true)
				}
				c.buffered, err = true, nil
				continue
			}
		} else {
			n, err = c.copyBuffered(o.f, off, min(left, maxCopyRange))
			off += int64(n)
		}
		if err != nil {
			return c.b.wrap(op, s.Key, err)
		}
		if n == 0 {
			return backend.NewError(op, s.Key, nil, fmt.Errorf(
				"the source file ended %d bytes short of its %d bytes: it was truncated during the compose", left, s.Size))
		}
		left -= int64(n)
	}
	return nil
}

// copyBuffered copies up to n bytes of f from off to the temp file
// through a pooled buffer, and returns how many; 0 at the file's end.
func (c *composeCopier) copyBuffered(f fileHandle, off, n int64) (int, error) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := (*bufp)[:min(n, int64(len(*bufp)))]
	r, err := f.ReadAt(buf, off)
	if r > 0 {
		if _, werr := c.out.Write(buf[:r]); werr != nil {
			return 0, werr
		}
		return r, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return 0, nil
}

// copyRange copies up to n bytes from rfd at *roff (which it advances) to
// the temp file at its file offset with one copy_file_range(2), retried
// on EINTR; it returns 0 at rfd's end.
func (c *composeCopier) copyRange(rfd int, roff *int64, n int) (int, error) {
	rc, err := c.out.SyscallConn()
	if err != nil {
		return 0, err
	}
	var m int
	var cerr error
	if err := rc.Control(func(wfd uintptr) {
		for {
			m, cerr = unix.CopyFileRange(rfd, roff, int(wfd), nil, n, 0)
			if cerr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, &os.PathError{Op: "copy_file_range", Path: c.out.Name(), Err: cerr}
	}
	return m, nil
}

// refusedCopyRange reports whether copy_file_range failed because the
// kernel or the file systems do not offer it for these files (no bytes
// were copied), so that a buffered copy can do the work.
func refusedCopyRange(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EPERM)
}
