package logging

import (
	"context"
	"log/slog"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// capabilities logs the optional capabilities of the inner backend (in).
// New gives the wrapper, through observe.Compose, exactly those that in
// has, so that it neither hides a capability nor claims one the store
// lacks; a method here is only reached when in has it.
type capabilities struct {
	b  *Backend
	in observe.Caps
}

// RemoveMany is logged as op "remove-many" with the number of keys.
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	start := time.Now()
	err := x.in.BatchRemover.RemoveMany(ctx, keys)
	x.b.log(ctx, "remove-many", "", start, err, slog.Int("count", len(keys)))
	return err
}

// Health is logged as op "health".
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	start := time.Now()
	h, err := x.in.HealthChecker.Health(ctx)
	x.b.log(ctx, "health", "", start, err)
	return h, err
}

// PresignGet is logged as op "presign-get"; the URL never is.
func (x capabilities) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	start := time.Now()
	u, err := x.in.Presigner.PresignGet(ctx, key, expiry)
	x.b.log(ctx, "presign-get", key, start, err, slog.Duration("expiry", expiry))
	return u, err
}

// PresignPut is logged as op "presign-put"; the URL never is.
func (x capabilities) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	start := time.Now()
	u, err := x.in.Presigner.PresignPut(ctx, key, expiry)
	x.b.log(ctx, "presign-put", key, start, err, slog.Duration("expiry", expiry))
	return u, err
}

// SetExpiry is logged as op "set-expiry"; key is the prefix.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	start := time.Now()
	err := x.in.Lifecycler.SetExpiry(ctx, prefix, days)
	x.b.log(ctx, "set-expiry", prefix, start, err, slog.Int("days", days))
	return err
}

// Expiry is logged as op "expiry".
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	start := time.Now()
	m, err := x.in.Lifecycler.Expiry(ctx)
	x.b.log(ctx, "expiry", "", start, err)
	return m, err
}
