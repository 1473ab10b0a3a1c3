package mem

import (
	"context"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Copier = (*Backend)(nil)

// Copy makes dst share src's bytes: a stored slice is never modified
// after Put (Put stores a fresh buffer, Get hands out copies), so no byte
// is copied, whatever the size. dst gets a new object (its own info, the
// source's ETag since the bytes are the same) under the store's lock, so
// the copy is atomic and IfNotExist is checked with the write.
func (b *Backend) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check("copy", dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("copy", dst, nil, err)
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[src]
	if !ok {
		return backend.ObjectInfo{}, backend.NewError("copy", src, backend.ErrNotFound, nil)
	}
	_, exists := s.objects[dst]
	if exists && opts.IfNotExist {
		return backend.ObjectInfo{}, backend.NewError("copy", dst, backend.ErrExist, nil)
	}
	info := cloneInfo(o.info)
	info.Key = dst
	info.LastModified = time.Now().UTC()
	if opts.ReplaceMetadata {
		info.ContentType, info.Metadata, info.HTTPAttributes = opts.ContentType, opts.Metadata, opts.HTTPAttributes
	}
	if !exists {
		s.sorted = nil
	}
	s.objects[dst] = &object{data: o.data, info: info}
	return cloneInfo(info), nil
}
