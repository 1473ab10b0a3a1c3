package objstore

import (
	"context"
	"io"

	"github.com/objstore-dev/objstore/backend"
)

// GetObjectWith reads the object name with the given options: a range
// (Offset, and Length, where a negative Length reads to the end and a
// zero Length reads nothing, as in backend.GetOptions: start from
// backend.WholeObject to read everything) and preconditions, evaluated by
// the store on the version it would send:
//
//   - IfMatch: read only that version (ETag), else ErrPreconditionFailed;
//   - IfNoneMatch: read unless the object still has that ETag, else
//     ErrNotModified (revalidating a cached copy);
//   - IfModifiedSince: read only if modified after that time (to the
//     second), else ErrNotModified; ignored when IfNoneMatch is set.
//
// A failed precondition returns no reader and transfers no body. It
// returns the reader, which the caller must Close, and the info of the
// whole object (its ETag is the IfMatch or IfNoneMatch of a later call).
// A missing object is ErrNotFound; a driver that cannot evaluate the
// preconditions exactly gives ErrNotSupported.
//
//	opts := backend.WholeObject
//	opts.IfNoneMatch = cachedETag
//	rc, info, err := c.GetObjectWith(ctx, name, opts)
//	if errors.Is(err, objstore.ErrNotModified) { /* the cached copy is current */ }
func (c *Client) GetObjectWith(ctx context.Context, name string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(name, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	return get(ctx, c.b, name, opts)
}

// get is every read the client makes: b.Get; for a read of at least the
// download threshold, the parallel ranged reads of its later segments,
// pinned to the first response's ETag (parallelize, WithParallelDownload);
// and when the read covers the whole object, the check of its bytes, which
// reach the caller in order either way, against the checksum the store
// keeps with it (backend.VerifyReader: ErrCorrupt instead of io.EOF).
// Ranged reads are not verified (see docs/reliability.md).
func get(ctx context.Context, b backend.Backend, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := b.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	rc = parallelize(ctx, b, key, opts, rc, info)
	if opts.Offset == 0 && (opts.Length < 0 || opts.Length >= info.Size) {
		rc = backend.VerifyReader("get", key, rc, info.Checksum)
	}
	return rc, info, nil
}
