package failover

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// The optional capabilities of package backend, forwarded to a live
// endpoint's backend with the same retry rules as the core operations.
// *Backend always has RemoveMany and Health, with fallbacks of its own
// (one Remove per key, a List probe); the others are methods of
// capabilities, which Unwrap gives exactly the capabilities of the
// endpoint backends (compose.go).

// capabilities serves the optional capabilities of b. It has them all,
// so that adding one to the list of internal/observe/gen_compose.go
// fails to compile here until failover forwards it too.
type capabilities struct{ b *Backend }

var _ observe.Instrumented = capabilities{}

// RemoveMany is b's.
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	return x.b.RemoveMany(ctx, keys)
}

// Health is b's.
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	return x.b.Health(ctx)
}

// RemoveMany removes keys with the endpoint backend's BatchRemover, or one
// Remove per key when it has none. Removal is idempotent, so the whole
// batch is retried when an attempt fails with a retryable error. Keys are
// checked with backend.CheckRemoveKeys: a refused key is reported and the
// others are removed, and the keys of a listing (backend.WithListedKeys,
// passed on in ctx) are removed as they are.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	if err := b.checkOpen("remove", ""); err != nil {
		return err
	}
	keys, refused := backend.CheckRemoveKeys(ctx, keys)
	if len(keys) == 0 {
		return errors.Join(refused...)
	}
	_, err := run(ctx, b, "remove", "", nil, timed(b, "remove", "", func(ctx context.Context, be backend.Backend) (struct{}, error) {
		if br, ok := backend.As[backend.BatchRemover](be); ok {
			return struct{}{}, br.RemoveMany(ctx, keys)
		}
		var errs []error
		for _, k := range keys {
			if err := be.Remove(ctx, k); err != nil {
				errs = append(errs, err)
			}
		}
		return struct{}{}, errors.Join(errs...)
	}))
	return errors.Join(append(refused, err)...)
}

// Presign returns a presigned URL for key from a live endpoint's
// backend. The URL names that one endpoint, so it does not fail over by
// itself: a holder whose endpoint goes down asks for another URL. Signing
// is local on the drivers that sign (minio, s3), so retries only matter
// for a driver that must ask its server first (minio's region lookup).
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	b := x.b
	// The drivers check the expiry against their own longest validity;
	// 0 here leaves it to them.
	if err := backend.CheckPresign(method, key, expiry, 0, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := b.checkOpen(op, key); err != nil {
		return "", err
	}
	return run(ctx, b, op, key, nil, timed(b, op, key, func(ctx context.Context, be backend.Backend) (string, error) {
		p, ok := backend.As[backend.Presigner](be)
		if !ok {
			return "", notSupported(op, key, be, "presigned URLs")
		}
		return p.Presign(ctx, method, key, expiry, opts)
	}))
}

// SetExpiry sets a lifecycle expiry rule through a live endpoint.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	b := x.b
	if err := backend.ValidatePrefix("set-expiry", prefix); err != nil {
		return err
	}
	if err := b.checkOpen("set-expiry", prefix); err != nil {
		return err
	}
	_, err := run(ctx, b, "set-expiry", prefix, nil, timed(b, "set-expiry", prefix, func(ctx context.Context, be backend.Backend) (struct{}, error) {
		l, ok := backend.As[backend.Lifecycler](be)
		if !ok {
			return struct{}{}, notSupported("set-expiry", prefix, be, "lifecycle rules")
		}
		return struct{}{}, l.SetExpiry(ctx, prefix, days)
	}))
	return err
}

// Expiry reads the lifecycle expiry rules through a live endpoint.
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	b := x.b
	if err := b.checkOpen("expiry", ""); err != nil {
		return nil, err
	}
	return run(ctx, b, "expiry", "", nil, timed(b, "expiry", "", func(ctx context.Context, be backend.Backend) (map[string]int, error) {
		l, ok := backend.As[backend.Lifecycler](be)
		if !ok {
			return nil, notSupported("expiry", "", be, "lifecycle rules")
		}
		return l.Expiry(ctx)
	}))
}

// notSupported is the error of a capability that an endpoint backend
// lacks although the prototype (or the first endpoint) had it.
func notSupported(op, key string, be backend.Backend, what string) error {
	return backend.NewError(op, key, backend.ErrNotSupported, fmt.Errorf("the endpoint backend %T has no %s", be, what))
}

// Compose forwards to a live endpoint's backend.Composer, with the same
// retry rules as Put (a compose replaces dst whole, so sending it again
// after a transient failure is safe). When the endpoint backends have no
// Composer, the Backend has none either (Unwrap), and the client streams
// instead.
func (x capabilities) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	b := x.b
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
		c, ok := backend.As[backend.Composer](be)
		if !ok {
			return backend.ObjectInfo{}, notSupported(op, dst, be, "server-side compose")
		}
		return c.Compose(ctx, dst, srcs, opts)
	})
}

// Health checks every endpoint at once, each within AttemptTimeout: with
// the endpoint backend's HealthChecker when it has one, else by listing
// one key (Live: the server answered; Ready: the listing worked). Down and
// not yet opened endpoints are checked too, and the results update the
// endpoints' state (a dead endpoint goes down, a live one comes back). The
// error is non-nil only when ctx ended.
func (b *Backend) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if err := b.checkOpen("health", ""); err != nil {
		return nil, err
	}
	b.mu.Lock()
	eps := append([]*endpoint(nil), b.eps...)
	b.mu.Unlock()
	results := make([][]backend.EndpointHealth, len(eps))
	var wg sync.WaitGroup
	for i, e := range eps {
		wg.Go(func() { results[i] = b.endpointHealth(ctx, e) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, backend.NewError("health", "", nil, err)
	}
	var out []backend.EndpointHealth
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

func (b *Backend) endpointHealth(parent context.Context, e *endpoint) []backend.EndpointHealth {
	ctx, cancel := context.WithTimeout(parent, b.cfg.AttemptTimeout)
	defer cancel()
	start := time.Now()
	fail := func(err error) []backend.EndpointHealth {
		if parent.Err() == nil && classify(err) != classPermanent {
			b.markDown(parent, "health", "", e, err)
		}
		return []backend.EndpointHealth{{Endpoint: e.name, Latency: time.Since(start), Err: err}}
	}
	be, err := e.acquire(ctx, b.cfg.Open)
	if err != nil {
		return fail(err)
	}
	defer e.release()
	if hc, ok := backend.As[backend.HealthChecker](be); ok {
		hs, err := hc.Health(ctx)
		if err != nil {
			return fail(err)
		}
		live := len(hs) > 0
		for _, h := range hs {
			live = live && h.Live
		}
		if live {
			b.markUp(parent, "health", "", e)
		} else {
			b.markDown(parent, "health", "", e, backend.NewError("health", "", backend.ErrUnavailable, errors.New("the health check says not live")))
		}
		return hs
	}
	_, err = be.List(ctx, backend.ListOptions{PageSize: 1})
	h := backend.EndpointHealth{Endpoint: e.name, Latency: time.Since(start), Err: err}
	switch {
	case err == nil:
		h.Live, h.Ready = true, true
		b.markUp(parent, "health", "", e)
	case classify(err) == classPermanent:
		h.Live = true // it answered, with a refusal
	case parent.Err() == nil:
		b.markDown(parent, "health", "", e, err)
	}
	return []backend.EndpointHealth{h}
}
