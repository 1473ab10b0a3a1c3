package ratelimit

import (
	"context"
	"io"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

var (
	_ backend.Backend = (*wrapper)(nil)
	_ backend.Wrapper = (*wrapper)(nil)
)

type wrapper struct {
	inner backend.Backend
	l     *Limiter
	name  string
}

// Unwrap returns the inner backend.
func (w *wrapper) Unwrap() backend.Backend { return w.inner }

// String names the wrapper and the inner backend.
func (w *wrapper) String() string { return "ratelimit(" + w.name + ")" }

func (w *wrapper) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if err := w.l.start(ctx, "put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if r != nil {
		r = &limitedReader{r: r, ctx: ctx, b: w.l.write, l: w.l, dir: "write"}
	}
	info, err := w.inner.Put(ctx, key, r, opts)
	w.l.done("put", err)
	return info, err
}

func (w *wrapper) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := w.l.start(ctx, "get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rc, info, err := w.inner.Get(ctx, key, opts)
	w.l.done("get", err)
	if err != nil {
		return rc, info, err
	}
	return &limitedBody{limitedReader{r: rc, ctx: ctx, b: w.l.read, l: w.l, dir: "read"}, rc}, info, nil
}

func (w *wrapper) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := w.l.start(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := w.inner.Stat(ctx, key)
	w.l.done("stat", err)
	return info, err
}

func (w *wrapper) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if err := w.l.start(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	page, err := w.inner.List(ctx, opts)
	w.l.done("list", err)
	return page, err
}

func (w *wrapper) Remove(ctx context.Context, key string) error {
	if err := w.l.start(ctx, "remove", key); err != nil {
		return err
	}
	err := w.inner.Remove(ctx, key)
	w.l.done("remove", err)
	return err
}

// Close closes the inner backend; it waits for nothing.
func (w *wrapper) Close() error { return w.inner.Close() }

// capabilities limits the inner backend's optional capabilities.
type capabilities struct {
	w  *wrapper
	in observe.Caps
}

func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	if err := x.w.l.start(ctx, "remove-many", ""); err != nil {
		return err
	}
	err := x.in.BatchRemover.RemoveMany(ctx, keys)
	x.w.l.done("remove-many", err)
	return err
}

func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if err := x.w.l.start(ctx, "health", ""); err != nil {
		return nil, err
	}
	h, err := x.in.HealthChecker.Health(ctx)
	x.w.l.done("health", err)
	return h, err
}

// Presign signs locally: it takes no token.
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	return x.in.Presigner.Presign(ctx, method, key, expiry, opts)
}

func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	if err := x.w.l.start(ctx, "set-expiry", prefix); err != nil {
		return err
	}
	err := x.in.Lifecycler.SetExpiry(ctx, prefix, days)
	x.w.l.done("set-expiry", err)
	return err
}

func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	if err := x.w.l.start(ctx, "expiry", ""); err != nil {
		return nil, err
	}
	m, err := x.in.Lifecycler.Expiry(ctx)
	x.w.l.done("expiry", err)
	return m, err
}
