package failover

import (
	"context"
	"errors"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Copy forwards to a live endpoint's backend.Copier, with the same retry
// rules as Put: a copy replaces dst whole, so sending it again after a
// transient failure is safe. An attempt is bounded by the caller's ctx
// only, not by AttemptTimeout: a server-side copy of a large object takes
// as long as the store needs, with no bytes to show progress. When the
// endpoint backends have no Copier, the Backend has none either (Unwrap).
//
// A create-only copy (IfNotExist) retried after an attempt whose outcome
// is unknown may find dst made by that attempt: the ErrExist it then
// returns says so.
func (x capabilities) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	b := x.b
	const op = "copy"
	if _, err := backend.CheckCopy(dst, src, opts); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.CheckKey(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.checkOpen(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	unknown := false // an attempt failed in a way that may have copied
	return run(ctx, b, op, dst, nil, func(ctx context.Context, _ *endpoint, be backend.Backend) (backend.ObjectInfo, error) {
		c, ok := backend.As[backend.Copier](be)
		if !ok {
			return backend.ObjectInfo{}, notSupported(op, dst, be, "server-side copy")
		}
		info, err := c.Copy(ctx, dst, src, opts)
		switch {
		case err == nil:
			return info, nil
		case opts.IfNotExist && unknown && errors.Is(err, backend.ErrExist):
			return backend.ObjectInfo{}, backend.NewError(op, dst, nil, fmt.Errorf(
				"an earlier attempt failed without a clear answer and may have made this object itself: %w", err))
		case classify(err) != classPermanent:
			unknown = true
		}
		return backend.ObjectInfo{}, err
	})
}
