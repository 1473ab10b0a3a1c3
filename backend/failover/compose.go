package failover

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Composer = (*Backend)(nil)

// Compose forwards to a live endpoint's backend.Composer, with the same
// retry rules as Put (a compose replaces dst whole, so sending it again
// after a transient failure is safe). When the endpoint backends have no
// Composer it returns ErrNotSupported, and the client streams instead.
func (b *Backend) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	const op = "compose"
	if err := b.CheckKey(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.checkOpen(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	// Not bounded by AttemptTimeout: a compose of many large sources
	// shows no progress while the server copies (as Copy); the caller's
	// ctx bounds it.
	return run(ctx, b, op, dst, nil, func(ctx context.Context, _ *endpoint, be backend.Backend) (backend.ObjectInfo, error) {
		c, ok := be.(backend.Composer)
		if !ok {
			return backend.ObjectInfo{}, notSupported(op, dst, be, "server-side compose")
		}
		return c.Compose(ctx, dst, srcs, opts)
	})
}
