package logging

import (
	"context"
	"log/slog"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// The optional capabilities, each a small type that logs the inner
// backend's capability. compose embeds exactly those the inner backend
// has (found with backend.As), so that the wrapper neither hides a
// capability nor claims one the store lacks.

type batchRemover struct {
	b *Backend
	c backend.BatchRemover
}

// RemoveMany is logged as op "remove-many" with the number of keys.
func (x batchRemover) RemoveMany(ctx context.Context, keys []string) error {
	start := time.Now()
	err := x.c.RemoveMany(ctx, keys)
	x.b.log(ctx, "remove-many", "", start, err, slog.Int("count", len(keys)))
	return err
}

type healthChecker struct {
	b *Backend
	c backend.HealthChecker
}

// Health is logged as op "health".
func (x healthChecker) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	start := time.Now()
	h, err := x.c.Health(ctx)
	x.b.log(ctx, "health", "", start, err)
	return h, err
}

type presigner struct {
	b *Backend
	c backend.Presigner
}

// PresignGet is logged as op "presign-get"; the URL never is.
func (x presigner) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	start := time.Now()
	u, err := x.c.PresignGet(ctx, key, expiry)
	x.b.log(ctx, "presign-get", key, start, err, slog.Duration("expiry", expiry))
	return u, err
}

// PresignPut is logged as op "presign-put"; the URL never is.
func (x presigner) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	start := time.Now()
	u, err := x.c.PresignPut(ctx, key, expiry)
	x.b.log(ctx, "presign-put", key, start, err, slog.Duration("expiry", expiry))
	return u, err
}

type lifecycler struct {
	b *Backend
	c backend.Lifecycler
}

// SetExpiry is logged as op "set-expiry"; key is the prefix.
func (x lifecycler) SetExpiry(ctx context.Context, prefix string, days int) error {
	start := time.Now()
	err := x.c.SetExpiry(ctx, prefix, days)
	x.b.log(ctx, "set-expiry", prefix, start, err, slog.Int("days", days))
	return err
}

// Expiry is logged as op "expiry".
func (x lifecycler) Expiry(ctx context.Context) (map[string]int, error) {
	start := time.Now()
	m, err := x.c.Expiry(ctx)
	x.b.log(ctx, "expiry", "", start, err)
	return m, err
}

// compose returns b with the capabilities of b.inner. The sixteen cases
// are spelled out because Go cannot add methods to a type at run time.
func compose(b *Backend) backend.Backend {
	br, hasBR := backend.As[backend.BatchRemover](b.inner)
	hc, hasHC := backend.As[backend.HealthChecker](b.inner)
	ps, hasPS := backend.As[backend.Presigner](b.inner)
	lc, hasLC := backend.As[backend.Lifecycler](b.inner)
	B, H, P, L := batchRemover{b, br}, healthChecker{b, hc}, presigner{b, ps}, lifecycler{b, lc}
	mask := 0
	for i, has := range []bool{hasBR, hasHC, hasPS, hasLC} {
		if has {
			mask |= 1 << i
		}
	}
	switch mask {
	case 0b0001:
		return struct {
			*Backend
			batchRemover
		}{b, B}
	case 0b0010:
		return struct {
			*Backend
			healthChecker
		}{b, H}
	case 0b0011:
		return struct {
			*Backend
			batchRemover
			healthChecker
		}{b, B, H}
	case 0b0100:
		return struct {
			*Backend
			presigner
		}{b, P}
	case 0b0101:
		return struct {
			*Backend
			batchRemover
			presigner
		}{b, B, P}
	case 0b0110:
		return struct {
			*Backend
			healthChecker
			presigner
		}{b, H, P}
	case 0b0111:
		return struct {
			*Backend
			batchRemover
			healthChecker
			presigner
		}{b, B, H, P}
	case 0b1000:
		return struct {
			*Backend
			lifecycler
		}{b, L}
	case 0b1001:
		return struct {
			*Backend
			batchRemover
			lifecycler
		}{b, B, L}
	case 0b1010:
		return struct {
			*Backend
			healthChecker
			lifecycler
		}{b, H, L}
	case 0b1011:
		return struct {
			*Backend
			batchRemover
			healthChecker
			lifecycler
		}{b, B, H, L}
	case 0b1100:
		return struct {
			*Backend
			presigner
			lifecycler
		}{b, P, L}
	case 0b1101:
		return struct {
			*Backend
			batchRemover
			presigner
			lifecycler
		}{b, B, P, L}
	case 0b1110:
		return struct {
			*Backend
			healthChecker
			presigner
			lifecycler
		}{b, H, P, L}
	case 0b1111:
		return struct {
			*Backend
			batchRemover
			healthChecker
			presigner
			lifecycler
		}{b, B, H, P, L}
	}
	return b
}
