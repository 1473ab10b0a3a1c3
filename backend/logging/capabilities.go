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

var _ observe.Instrumented = capabilities{}

// RemoveMany is logged as op "remove-many" with the number of keys.
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	start := time.Now()
	err := x.in.BatchRemover.RemoveMany(x.b.attempts(ctx, "remove-many", ""), keys)
	x.b.log(ctx, "remove-many", "", start, err, slog.Int("count", len(keys)))
	return err
}

// Health is logged as op "health".
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	start := time.Now()
	h, err := x.in.HealthChecker.Health(x.b.attempts(ctx, "health", ""))
	x.b.log(ctx, "health", "", start, err)
	return h, err
}

// Presign is logged as op "presign-get", "presign-head", "presign-put" or
// "presign-delete" (backend.PresignOp), with the expiry and any content
// type; the URL never is.
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	start := time.Now()
	u, err := x.in.Presigner.Presign(x.b.attempts(ctx, backend.PresignOp(method), key), method, key, expiry, opts)
	attrs := []slog.Attr{slog.Duration("expiry", expiry)}
	if opts.ContentType != "" {
		attrs = append(attrs, slog.String("content_type", opts.ContentType))
	}
	x.b.log(ctx, backend.PresignOp(method), key, start, err, attrs...)
	return u, err
}

// SetExpiry is logged as op "set-expiry"; key is the prefix.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	start := time.Now()
	err := x.in.Lifecycler.SetExpiry(x.b.attempts(ctx, "set-expiry", prefix), prefix, days)
	x.b.log(ctx, "set-expiry", prefix, start, err, slog.Int("days", days))
	return err
}

// Expiry is logged as op "expiry".
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	start := time.Now()
	m, err := x.in.Lifecycler.Expiry(x.b.attempts(ctx, "expiry", ""))
	x.b.log(ctx, "expiry", "", start, err)
	return m, err
}

// Compose is logged as op "compose"; key is the destination, count the
// number of sources, size the composed object's size.
func (x capabilities) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := x.in.Composer.Compose(x.b.attempts(ctx, "compose", dst), dst, srcs, opts)
	attrs := []slog.Attr{slog.Int("count", len(srcs))}
	if err == nil {
		attrs = append(attrs, slog.Int64("size", info.Size))
	}
	x.b.log(ctx, "compose", dst, start, err, attrs...)
	return info, err
}

// Copy is logged as op "copy"; key is the destination, src the source,
// size the copy's size.
func (x capabilities) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := x.in.Copier.Copy(x.b.attempts(ctx, "copy", dst), dst, src, opts)
	attrs := []slog.Attr{slog.String("src", src)}
	if err == nil {
		attrs = append(attrs, slog.Int64("size", info.Size))
	}
	x.b.log(ctx, "copy", dst, start, err, attrs...)
	return info, err
}
