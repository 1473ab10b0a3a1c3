package gocloud

import (
	"context"
	"io"

	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/pagetoken"
)

// List returns one page of the objects under opts.Prefix, in the order of
// the store's names, which the key codec makes the byte order of keys
// (see KeyCodec; with RawKeys it is the driver's order).
//
// The page token is gocloud's own page token (see pagetoken): for Azure
// the service's continuation marker, for memblob the last key. Both are
// stateless, so a token can be used again and outlives the Backend.
// Listings carry size and modification time; content type, metadata and
// ETag are left empty (gocloud lists no more), Stat has them. Names that
// the key codec cannot decode (objects written by other programs) are
// left out.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return pagetoken.List(ctx, &b.guard, opts, b.listPage)
}

// listPage is one page of List (a pagetoken.Page): its state is gocloud's
// page token.
func (b *Backend) listPage(ctx context.Context, opts backend.ListOptions, token []byte) ([]backend.ObjectInfo, []byte, error) {
	if token == nil {
		token = blob.FirstPageToken
	}
	page, next, err := b.bucket.ListPage(ctx, token, opts.PageSize, &blob.ListOptions{Prefix: b.opts.keys.Encode(opts.Prefix)})
	if err == io.EOF {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, wrap("list", opts.Prefix, err)
	}
	objs := make([]backend.ObjectInfo, 0, len(page))
	for _, o := range page {
		if o.IsDir {
			continue // no delimiter is given, but a driver may still say so
		}
		key, ok := b.opts.keys.Decode(o.Key)
		if !ok || backend.ValidateKey("list", key) != nil {
			continue
		}
		objs = append(objs, backend.ObjectInfo{Key: key, Size: o.Size, LastModified: o.ModTime})
	}
	return objs, next, nil
}
