package metrics

import (
	"context"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// capabilities counts and times the optional capabilities of the inner
// backend (in). New gives the wrapper, through observe.Compose, exactly
// those that in has, so that it neither hides a capability nor claims one
// the store lacks; a method here is only reached when in has it.
type capabilities struct {
	b  *Backend
	in observe.Caps
}

var _ observe.Instrumented = capabilities{}

// RemoveMany is counted as op "remove-many".
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	start := time.Now()
	err := x.in.BatchRemover.RemoveMany(x.b.attempts(ctx, "remove-many"), keys)
	x.b.done("remove-many", start, err)
	return err
}

// Health is counted as op "health".
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	start := time.Now()
	h, err := x.in.HealthChecker.Health(x.b.attempts(ctx, "health"))
	x.b.done("health", start, err)
	return h, err
}

// Presign is counted as op "presign-get", "presign-head", "presign-put"
// or "presign-delete" (backend.PresignOp).
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	start := time.Now()
	u, err := x.in.Presigner.Presign(x.b.attempts(ctx, backend.PresignOp(method)), method, key, expiry, opts)
	x.b.done(backend.PresignOp(method), start, err)
	return u, err
}

// SetExpiry is counted as op "set-expiry".
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	start := time.Now()
	err := x.in.Lifecycler.SetExpiry(x.b.attempts(ctx, "set-expiry"), prefix, days)
	x.b.done("set-expiry", start, err)
	return err
}

// Expiry is counted as op "expiry".
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	start := time.Now()
	m, err := x.in.Lifecycler.Expiry(x.b.attempts(ctx, "expiry"))
	x.b.done("expiry", start, err)
	return m, err
}

// Compose is counted as op "compose". Its bytes never pass through the
// client, so they are not counted as uploaded.
func (x capabilities) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := x.in.Composer.Compose(x.b.attempts(ctx, "compose"), dst, srcs, opts)
	x.b.done("compose", start, err)
	return info, err
}

// Copy is counted as op "copy". Its bytes never pass through the client,
// so they are not counted as uploaded or downloaded.
func (x capabilities) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := x.in.Copier.Copy(x.b.attempts(ctx, "copy"), dst, src, opts)
	x.b.done("copy", start, err)
	return info, err
}
