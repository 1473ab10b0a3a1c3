package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// capabilities traces the optional capabilities of the inner backend
// (in). New gives the wrapper, through observe.Compose, exactly those
// that in has, so that it neither hides a capability nor claims one the
// store lacks; a method here is only reached when in has it.
type capabilities struct {
	b  *Backend
	in observe.Caps
}

var _ observe.Instrumented = capabilities{}

// RemoveMany is traced as objstore.remove-many with objstore.count.
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	ctx, span := x.b.start(ctx, "remove-many", "", AttrCount.Int(len(keys)))
	err := x.in.BatchRemover.RemoveMany(ctx, keys)
	end(span, err)
	return err
}

// Health is traced as objstore.health, with objstore.count endpoints.
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	ctx, span := x.b.start(ctx, "health", "")
	h, err := x.in.HealthChecker.Health(ctx)
	end(span, err, AttrCount.Int(len(h)))
	return h, err
}

// Presign is traced as objstore.presign-get, -head, -put or -delete
// (backend.PresignOp), with objstore.expiry; the URL is never recorded.
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	ctx, span := x.b.start(ctx, backend.PresignOp(method), key, expiryAttr(expiry))
	u, err := x.in.Presigner.Presign(ctx, method, key, expiry, opts)
	end(span, err)
	return u, err
}

func expiryAttr(d time.Duration) attribute.KeyValue {
	return attribute.String("objstore.expiry", d.String())
}

// SetExpiry is traced as objstore.set-expiry; objstore.key is the prefix.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	ctx, span := x.b.start(ctx, "set-expiry", prefix, attribute.Int("objstore.days", days))
	err := x.in.Lifecycler.SetExpiry(ctx, prefix, days)
	end(span, err)
	return err
}

// Expiry is traced as objstore.expiry, with objstore.count rules.
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	ctx, span := x.b.start(ctx, "expiry", "")
	m, err := x.in.Lifecycler.Expiry(ctx)
	end(span, err, AttrCount.Int(len(m)))
	return m, err
}

// Compose is traced as objstore.compose: objstore.key is the destination,
// objstore.count the number of sources, objstore.size the composed
// object's size.
func (x capabilities) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	ctx, span := x.b.start(ctx, "compose", dst, AttrCount.Int(len(srcs)))
	info, err := x.in.Composer.Compose(ctx, dst, srcs, opts)
	if err == nil {
		end(span, nil, AttrSize.Int64(info.Size))
	} else {
		end(span, err)
	}
	return info, err
}

// Copy is traced as objstore.copy: objstore.key is the destination,
// objstore.src the source, objstore.size the copy's size.
func (x capabilities) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	ctx, span := x.b.start(ctx, "copy", dst, AttrSrc.String(src))
	info, err := x.in.Copier.Copy(ctx, dst, src, opts)
	if err == nil {
		end(span, nil, AttrSize.Int64(info.Size))
	} else {
		end(span, err)
	}
	return info, err
}
