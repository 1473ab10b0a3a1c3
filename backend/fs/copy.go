package fs

import (
	"context"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Copier = (*Backend)(nil)

// afterCopyData, when set (only by this package's tests), runs once a
// Copy has copied the bytes, before it checks that the source did not
// change, with the way it copied them: "clone", "copy_file_range" or
// "buffered" (some or all of the bytes went through the buffer).
var afterCopyData func(method string)

// Copy copies the object src to dst inside the file system, into a temp
// file in dst's directory that is then committed as Put commits its own
// (tempWriter, put.go): so dst is atomic, a create-only copy
// (opts.IfNotExist) is a link(2) that fails with ErrExist, atomically,
// when dst exists, and on any error (ctx included) the temp file is
// removed and dst left as it was.
//
// The bytes are copied without passing through the process where the
// file system can: first a reflink of the whole file (the FICLONE ioctl:
// btrfs, XFS; the blocks are shared, not copied), then copy_file_range(2)
// (inside the kernel; it too shares blocks where it can, and on NFS 4.2
// copies on the server), then through a buffer. The checksum is the
// source's, since the bytes are the same: a source without one (a file
// that another program wrote) gives a copy without one, and a source
// damaged since its put gives a copy whose full reads fail with
// ErrCorrupt as the source's do. Without opts.ReplaceMetadata dst gets
// src's content type, metadata and HTTP attributes; with it, those of
// opts (backend.CheckCopy normalised them).
//
// The source is opened as Get opens it, so a source replaced during the
// copy (by a rename, as every put does) is copied whole in the version
// that was opened. A file that another program rewrites in place during
// the copy fails it when its size or modification time changed. A
// missing source is ErrNotFound naming src; every other error names dst,
// unless it is the source's.
func (b *Backend) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	const op = "copy"
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	sp, err := keyToPath(op, src)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	dp, err := keyToPath(op, dst)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if opts.ReplaceMetadata {
		if err := b.checkAttrs(op, dst, opts.ContentType, opts.Metadata, opts.HTTPAttributes); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	if err := b.check(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	o, err := b.openObject(sp, src, nil)
	if err != nil {
		return backend.ObjectInfo{}, b.wrap(op, src, err)
	}
	defer o.f.Close()
	a := attrs{contentType: o.info.ContentType, metadata: o.info.Metadata, http: o.info.HTTPAttributes, checksum: o.info.Checksum}
	if opts.ReplaceMetadata {
		a.contentType, a.metadata, a.http = opts.ContentType, opts.Metadata, opts.HTTPAttributes
	}

	w := &tempWriter{b: b, op: op, key: dst, path: dp, dir: parentDir(dp)}
	done := false
	defer func() {
		if !done {
			w.abort()
		}
	}()
	if err := w.create(ctx); err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	if err := b.copyData(ctx, w, o); err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := w.finish(ctx, o.info.Size, a)
	if err == nil {
		err = w.commit(ctx, opts.IfNotExist, "")
	}
	if err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	done = true
	return info, nil
}

// copyData fills the temp file of w with the bytes of the open source o:
// a reflink of the whole file when the object is the whole file (no v1
// header), else copy_file_range or the buffer (fileCopier). It then
// checks that the source file still has the size and modification time
// it had when it was opened, and the temp file the object's size.
func (b *Backend) copyData(ctx context.Context, w *tempWriter, o object) error {
	const op = "copy"
	src, size := o.info.Key, o.info.Size
	cloned := false
	if o.dataOff == 0 {
		var err error
		if cloned, err = cloneFile(w.f, o.f); err != nil {
			return b.wrap(op, w.key, err)
		}
	}
	method := "clone"
	if !cloned {
		c := fileCopier{ctx: ctx, out: w.f}
		n, _, err := c.appendRange(o.f, o.dataOff, size, false)
		if err != nil {
			return b.wrap(op, w.key, err)
		}
		if n < size {
			return backend.NewError(op, src, nil, fmt.Errorf(
				"the source file ended %d bytes short of its %d bytes: it was truncated during the copy", size-n, size))
		}
		method = "copy_file_range"
		if c.buffered {
			method = "buffered"
		}
	}
	if afterCopyData != nil {
		afterCopyData(method)
	}
	after, err := o.f.stat()
	if err != nil {
		return b.wrap(op, src, err)
	}
	if after.size != o.st.size || after.mtime != o.st.mtime {
		return backend.NewError(op, src, nil, fmt.Errorf(
			"the source file was modified in place during the copy (%d bytes when opened, %d after): copy it again", o.st.size, after.size))
	}
	out, err := statFile(w.f)
	if err != nil {
		return b.wrap(op, w.key, err)
	}
	if out.size != size {
		return backend.NewError(op, w.key, nil, fmt.Errorf("the copy holds %d bytes where the source holds %d", out.size, size))
	}
	return nil
}
