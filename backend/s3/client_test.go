package s3_test

import (
	"context"
	"testing"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/clienttest"
)

// TestClient runs the client suite (the spec's API, stream objects
// included) on New, on both servers, each check on a fresh bucket.
func TestClient(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		clienttest.Run(t, func(t *testing.T) backend.Backend {
			b, _ := srv.open(t)
			if srv.name == "versitygw" {
				// versitygw has no lifecycle API (501 NotImplemented, which
				// the driver reports as ErrNotSupported, see
				// TestLifecycle); the suite expects a backend that offers
				// backend.Lifecycler to succeed, so it gets the store
				// without it.
				return withoutLifecycle{b}
			}
			return b
		})
	})
}

// withoutLifecycle forwards every capability of the store but
// backend.Lifecycler. It does not implement backend.Wrapper, so that
// backend.As cannot find the hidden capability.
type withoutLifecycle struct{ backend.Backend }

func (w withoutLifecycle) RemoveMany(ctx context.Context, keys []string) error {
	r, _ := backend.As[backend.BatchRemover](w.Backend)
	return r.RemoveMany(ctx, keys)
}

func (w withoutLifecycle) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	p, _ := backend.As[backend.Presigner](w.Backend)
	return p.Presign(ctx, method, key, expiry, opts)
}

func (w withoutLifecycle) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	h, _ := backend.As[backend.HealthChecker](w.Backend)
	return h.Health(ctx)
}

func (w withoutLifecycle) CheckKey(op, key string) error {
	k, _ := backend.As[backend.KeyChecker](w.Backend)
	return k.CheckKey(op, key)
}
