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
	return c.b.Get(ctx, name, opts)
}
