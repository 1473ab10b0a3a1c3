package gocloud

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"

	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page of the objects under opts.Prefix, in the order of
// the store's names, which the key codec makes the byte order of keys
// (see KeyCodec; with RawKeys it is the driver's order).
//
// The page token is gocloud's own page token, base64-encoded: for Azure
// the service's continuation marker, for memblob the last key. Both are
// stateless, so a token can be used again and outlives the Backend.
// Listings carry size and modification time; content type, metadata and
// ETag are left empty (gocloud lists no more), Stat has them. Names that
// the key codec cannot decode (objects written by other programs) are
// left out.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := b.check("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	token := blob.FirstPageToken
	if opts.Token != "" {
		token, err = base64.RawURLEncoding.DecodeString(opts.Token)
		if err != nil || len(token) == 0 {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrInvalidArgument,
				fmt.Errorf("gocloud: malformed page token %q", opts.Token))
		}
	}
	if err := ctx.Err(); err != nil {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
	}
	objs, next, err := b.bucket.ListPage(ctx, token, opts.PageSize, &blob.ListOptions{Prefix: b.opts.keys.Encode(opts.Prefix)})
	if err == io.EOF {
		return backend.ListPage{}, nil
	}
	if err != nil {
		return backend.ListPage{}, wrap("list", opts.Prefix, err)
	}
	page := backend.ListPage{Objects: make([]backend.ObjectInfo, 0, len(objs))}
	for _, o := range objs {
		if o.IsDir {
			continue // no delimiter is given, but a driver may still say so
		}
		key, ok := b.opts.keys.Decode(o.Key)
		if !ok || backend.ValidateKey("list", key) != nil {
			continue
		}
		page.Objects = append(page.Objects, backend.ObjectInfo{Key: key, Size: o.Size, LastModified: o.ModTime})
	}
	if len(next) > 0 {
		page.NextToken = base64.RawURLEncoding.EncodeToString(next)
	}
	return page, nil
}
