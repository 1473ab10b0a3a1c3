package gocloud

import (
	"context"
	"errors"

	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Copier = (*Backend)(nil)

// Copy copies src to dst with blob.Bucket.Copy, which uses the store's own
// copy (Azure: copy from URL, which gocloud waits for; GCS: rewrite; S3:
// CopyObject), so the bytes do not pass through the client. It then reads
// dst's attributes (one request) for the info it returns.
//
// gocloud's Copy has no options for new attributes or for a create-only
// copy, so a copy with ReplaceMetadata or IfNotExist returns
// ErrNotSupported before any request, and the client streams it (a Get
// and a create-only Put, which Azure can make).
func (b *Backend) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	const op = "copy"
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.guard.Key(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if opts.ReplaceMetadata || opts.IfNotExist {
		return backend.ObjectInfo{}, backend.NewError(op, dst, backend.ErrNotSupported,
			errors.New("gocloud's Copy can neither set new metadata nor make a create-only copy"))
	}
	if err := b.bucket.Copy(ctx, b.opts.keys.Encode(dst), b.opts.keys.Encode(src), nil); err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return backend.ObjectInfo{}, wrap(op, src, err) // dst need not exist: the source is missing
		}
		return backend.ObjectInfo{}, wrap(op, dst, err)
	}
	attrs, err := b.bucket.Attributes(ctx, b.opts.keys.Encode(dst))
	if err != nil {
		return backend.ObjectInfo{}, wrap(op, dst, err)
	}
	return infoOf(dst, attrs), nil
}
