//go:build linux

package fs

import (
	"context"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// The fs driver composes only on Linux, with copy_file_range(2); elsewhere
// it has no Composer, and the client streams the chunks through Put.
var _ backend.Composer = (*Backend)(nil)

// beforeComposeSource, when set (only by this package's tests), runs
// before Compose opens the source srcs[i].
var beforeComposeSource func(i int, key string)

// Compose writes the bytes of srcs, in order, into a temp file in dst's
// directory with copy_file_range(2), which copies inside the kernel (and
// shares the blocks, on a file system with reflinks, such as XFS and
// Btrfs); where the kernel or file system refuses it (ENOSYS, EXDEV,
// EOPNOTSUPP, EINVAL) the rest goes through a buffer (fileCopier,
// copyfile.go). The temp file is then committed as Put commits its own
// (tempWriter, put.go): the object attribute with opts.ContentType,
// opts.Metadata and opts.HTTPAttributes, a fresh modification time,
// fsync, rename over dst, fsync of the directory. So dst is atomic, and
// on any error (ctx included) the temp file is removed and dst left as it
// was.
//
// The checksum of dst is the CRC-32C of the concatenation, combined from
// the CRC-32C each source keeps and its length (crc32cCombine), so the
// bytes need not pass through the process. A source without one (a file
// that another program wrote, a file of the v1 format) is copied through
// the buffer and its CRC-32C computed as it passes. A source whose bytes
// were damaged after its put passes its damage on to dst detectably: the
// combined checksum is that of the bytes as they were put, so a full read
// of dst fails with ErrCorrupt, as one of the source does.
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
	if err := backend.CheckHTTPAttributes(op, dst, opts.HTTPAttributes); err != nil {
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
	if err := b.checkAttrs(op, dst, ct, md, opts.HTTPAttributes); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	w := &tempWriter{b: b, op: op, key: dst, path: p, dir: parentDir(p)}
	done := false
	defer func() {
		if !done {
			w.abort()
		}
	}()
	if err := w.create(ctx); err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	c := fileCopier{ctx: ctx, out: w.f}
	var crc uint32
	for i, s := range srcs {
		if beforeComposeSource != nil {
			beforeComposeSource(i, s.Key)
		}
		sum, err := b.composeSource(&c, paths[i], s)
		if err != nil {
			return backend.ObjectInfo{}, err
		}
		crc = crc32cCombine(crc, sum, s.Size)
	}
	info, err := w.finish(ctx, total, attrs{contentType: ct, metadata: md, http: opts.HTTPAttributes, checksum: crc32cChecksum(crc)})
	if err == nil {
		err = w.commit(ctx, false, "")
	}
	if err != nil {
		return backend.ObjectInfo{}, b.wrap(op, dst, err)
	}
	done = true
	return info, nil
}

// composeSource appends the bytes of the source s, at path p, to the temp
// file, and returns their CRC-32C: the one the source keeps, or, for a
// source without one, the one computed while its bytes were copied.
func (b *Backend) composeSource(c *fileCopier, p string, s backend.ObjectInfo) (uint32, error) {
	const op = "compose"
	if err := c.ctx.Err(); err != nil {
		return 0, backend.NewError(op, s.Key, nil, err)
	}
	o, err := b.openObject(p, s.Key, nil)
	if err != nil {
		return 0, b.wrap(op, s.Key, err)
	}
	defer o.f.Close()
	switch {
	case o.info.Size != s.Size:
		return 0, backend.NewError(op, s.Key, nil, fmt.Errorf(
			"the source holds %d bytes where it was listed with %d: it changed since it was listed", o.info.Size, s.Size))
	case s.ETag != "" && !backend.ETagsEqual(s.ETag, o.info.ETag):
		return 0, backend.NewError(op, s.Key, nil, fmt.Errorf(
			"the source's ETag is %q where it was listed with %q: it changed since it was listed", o.info.ETag, s.ETag))
	}
	kept, ok := crc32cOf(o.info.Checksum)
	// A store without attributes keeps no checksum: nothing to hash for.
	n, sum, err := c.appendRange(o.f, o.dataOff, s.Size, !ok && b.cfg.attrs)
	if err != nil {
		return 0, b.wrap(op, s.Key, err)
	}
	if n < s.Size {
		return 0, backend.NewError(op, s.Key, nil, fmt.Errorf(
			"the source file ended %d bytes short of its %d bytes: it was truncated during the compose", s.Size-n, s.Size))
	}
	if ok {
		return kept, nil
	}
	return sum, nil
}
