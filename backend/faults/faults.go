package faults

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

// wrapper is the Backend that Wrap returns, inside a value that also has
// exactly the optional capabilities of the inner backend.
type wrapper struct {
	inner backend.Backend
	plan  *Plan
	name  string
}

// Wrap returns inner following p: each call of inner first takes its fault
// from p, if any. The result has exactly the optional capabilities
// BatchRemover, HealthChecker, Presigner and Lifecycler of inner (found
// with backend.As), each taking faults of its own Op, and Unwrap. Close
// closes inner and takes no fault.
func (p *Plan) Wrap(inner backend.Backend) backend.Backend {
	w := &wrapper{inner: inner, plan: p, name: observe.Name(inner)}
	in := observe.CapsOf(inner)
	return observe.Compose(w, in.ServedBy(capabilities{w, in}))
}

// Unwrap returns the inner backend.
func (w *wrapper) Unwrap() backend.Backend { return w.inner }

// String names the wrapper and the inner backend.
func (w *wrapper) String() string { return "faults(" + w.name + ")" }

// before takes the fault of a call and runs it up to the point where the
// call goes through; f is the fault, for a body fault.
func (w *wrapper) before(ctx context.Context, op Op, key string) (*Fault, error) {
	f, n := w.plan.take(op, key)
	if f == nil {
		return nil, nil
	}
	return f, fire(ctx, f, n, string(op), key)
}

// Put takes a Put fault; a body fault hands inner a reader that fails
// after AfterBytes bytes.
func (w *wrapper) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	f, err := w.before(ctx, Put, key)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if f != nil && f.Body && r != nil {
		r = &breakingReader{r: r, left: f.AfterBytes, err: injected("put", key, f.Err)}
	}
	return w.inner.Put(ctx, key, r, opts)
}

// Get takes a Get fault; a body fault breaks the returned reader after
// AfterBytes bytes.
func (w *wrapper) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	f, err := w.before(ctx, Get, key)
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rc, info, err := w.inner.Get(ctx, key, opts)
	if err != nil || f == nil || !f.Body {
		return rc, info, err
	}
	return &breakingBody{breakingReader{r: rc, left: f.AfterBytes, err: injected("get", key, f.Err)}, rc}, info, nil
}

// Stat takes a Stat fault.
func (w *wrapper) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if _, err := w.before(ctx, Stat, key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return w.inner.Stat(ctx, key)
}

// List takes a List fault; Fault.Key matches the listing prefix.
func (w *wrapper) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if _, err := w.before(ctx, List, opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	return w.inner.List(ctx, opts)
}

// Remove takes a Remove fault.
func (w *wrapper) Remove(ctx context.Context, key string) error {
	if _, err := w.before(ctx, Remove, key); err != nil {
		return err
	}
	return w.inner.Remove(ctx, key)
}

// Close closes the inner backend; it takes no fault.
func (w *wrapper) Close() error { return w.inner.Close() }

// capabilities gives the inner backend's optional capabilities faults of
// their own Op; a method here is only reached when the inner backend has
// the capability (observe.Caps.ServedBy).
type capabilities struct {
	w  *wrapper
	in observe.Caps
}

// RemoveMany takes a RemoveMany fault (Key matches no call: it has many).
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	if _, err := x.w.before(ctx, RemoveMany, ""); err != nil {
		return err
	}
	return x.in.BatchRemover.RemoveMany(ctx, keys)
}

// Health takes a Health fault.
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if _, err := x.w.before(ctx, Health, ""); err != nil {
		return nil, err
	}
	return x.in.HealthChecker.Health(ctx)
}

// Presign takes a Presign fault, whatever the method.
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	f, n := x.w.plan.take(Presign, key)
	if f != nil {
		if err := fire(ctx, f, n, backend.PresignOp(method), key); err != nil {
			return "", err
		}
	}
	return x.in.Presigner.Presign(ctx, method, key, expiry, opts)
}

// SetExpiry takes a SetExpiry fault; Key matches the prefix.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	if _, err := x.w.before(ctx, SetExpiry, prefix); err != nil {
		return err
	}
	return x.in.Lifecycler.SetExpiry(ctx, prefix, days)
}

// Expiry takes an Expiry fault.
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	if _, err := x.w.before(ctx, Expiry, ""); err != nil {
		return nil, err
	}
	return x.in.Lifecycler.Expiry(ctx)
}
