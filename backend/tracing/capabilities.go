package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/objstore-dev/objstore/backend"
)

// The optional capabilities, each a small type that traces the inner
// backend's capability. compose embeds exactly those the inner backend
// has (found with backend.As), so that the wrapper neither hides a
// capability nor claims one the store lacks.

type batchRemover struct {
	b *Backend
	c backend.BatchRemover
}

// RemoveMany is traced as objstore.remove-many with objstore.count.
func (x batchRemover) RemoveMany(ctx context.Context, keys []string) error {
	ctx, o := x.b.start(ctx, "remove-many", "remove", "", AttrCount.Int(len(keys)))
	err := x.c.RemoveMany(ctx, keys)
	o.end(err)
	return err
}

type healthChecker struct {
	b *Backend
	c backend.HealthChecker
}

// Health is traced as objstore.health, with objstore.count endpoints.
func (x healthChecker) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	ctx, o := x.b.start(ctx, "health", "health", "")
	h, err := x.c.Health(ctx)
	o.end(err, AttrCount.Int(len(h)))
	return h, err
}

type presigner struct {
	b *Backend
	c backend.Presigner
}

// PresignGet is traced as objstore.presign-get; the URL is never recorded.
func (x presigner) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	ctx, o := x.b.start(ctx, "presign-get", "presign-get", key, expiryAttr(expiry))
	u, err := x.c.PresignGet(ctx, key, expiry)
	o.end(err)
	return u, err
}

// PresignPut is traced as objstore.presign-put; the URL is never recorded.
func (x presigner) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	ctx, o := x.b.start(ctx, "presign-put", "presign-put", key, expiryAttr(expiry))
	u, err := x.c.PresignPut(ctx, key, expiry)
	o.end(err)
	return u, err
}

func expiryAttr(d time.Duration) attribute.KeyValue {
	return attribute.String("objstore.expiry", d.String())
}

type lifecycler struct {
	b *Backend
	c backend.Lifecycler
}

// SetExpiry is traced as objstore.set-expiry; objstore.key is the prefix.
func (x lifecycler) SetExpiry(ctx context.Context, prefix string, days int) error {
	ctx, o := x.b.start(ctx, "set-expiry", "set-expiry", prefix, attribute.Int("objstore.days", days))
	err := x.c.SetExpiry(ctx, prefix, days)
	o.end(err)
	return err
}

// Expiry is traced as objstore.expiry, with objstore.count rules.
func (x lifecycler) Expiry(ctx context.Context) (map[string]int, error) {
	ctx, o := x.b.start(ctx, "expiry", "expiry", "")
	m, err := x.c.Expiry(ctx)
	o.end(err, AttrCount.Int(len(m)))
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
