package consistency

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

var (
	_ backend.Backend = (*wrapper)(nil)
	_ backend.Wrapper = (*wrapper)(nil)
)

// Options tunes New. The zero value makes a transparent wrapper.
type Options struct {
	// Window is how long listings lag a write or a remove (see the
	// package doc); 0: they do not.
	Window time.Duration
	// Clock stamps the modification times of objects written through the
	// wrapper and measures Window; nil: the store's times, and time.Now.
	Clock Clock
}

// change is the listed state of a key that was written in its window.
type change struct {
	prev    backend.ObjectInfo // the info listed until the window ends
	existed bool               // false: the key is not listed until then
	until   time.Time
}

// wrapper is the Backend that New returns, inside a value that also has
// exactly the optional capabilities of the inner backend.
type wrapper struct {
	inner  backend.Backend
	opts   Options
	clock  Clock
	name   string
	mu     sync.Mutex
	lag    map[string]*change
	mtimes map[string]time.Time // keys written through the wrapper, with Clock
}

// New wraps inner (see the package doc). The result has exactly the
// optional capabilities BatchRemover, HealthChecker, Presigner and
// Lifecycler of inner (RemoveMany lags as Remove does), and Unwrap.
func New(inner backend.Backend, opts Options) backend.Backend {
	w := &wrapper{inner: inner, opts: opts, clock: opts.Clock, name: observe.Name(inner),
		lag: map[string]*change{}, mtimes: map[string]time.Time{}}
	if w.clock == nil {
		w.clock = wallClock{}
	}
	in := observe.CapsOf(inner)
	return observe.Compose(w, in.ServedBy(capabilities{w, in}))
}

// Unwrap returns the inner backend.
func (w *wrapper) Unwrap() backend.Backend { return w.inner }

// String names the wrapper and the inner backend.
func (w *wrapper) String() string { return "consistency(" + w.name + ")" }

// own reports whether the wrapper lists by itself.
func (w *wrapper) own() bool { return w.opts.Window > 0 || w.opts.Clock != nil }

// lagging returns the changes whose window has not ended, dropping the
// others.
func (w *wrapper) lagging(now time.Time) map[string]change {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]change, len(w.lag))
	for k, c := range w.lag {
		if !now.Before(c.until) {
			delete(w.lag, k)
			continue
		}
		out[k] = *c
	}
	return out
}

// beforeWrite returns a function that records a write of key once it
// succeeded: the key's listed state stays what it was before, for the
// window.
func (w *wrapper) beforeWrite(ctx context.Context, key string) func(removed bool) {
	if w.opts.Window <= 0 {
		return func(removed bool) { w.stamp(key, removed) }
	}
	now := w.clock.Now()
	w.mu.Lock()
	c, open := w.lag[key]
	open = open && now.Before(c.until)
	w.mu.Unlock()
	var prev backend.ObjectInfo
	var existed bool
	if !open {
		info, err := w.inner.Stat(ctx, key)
		prev, existed = w.times(info), err == nil
	}
	return func(removed bool) {
		w.stamp(key, removed)
		w.mu.Lock()
		defer w.mu.Unlock()
		until := w.clock.Now().Add(w.opts.Window)
		if c, ok := w.lag[key]; ok && open {
			c.until = until
			return
		}
		w.lag[key] = &change{prev: prev, existed: existed, until: until}
	}
}

// stamp records the modification time of a write of key.
func (w *wrapper) stamp(key string, removed bool) {
	if w.opts.Clock == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if removed {
		delete(w.mtimes, key)
	} else {
		w.mtimes[key] = w.clock.Now().UTC()
	}
}

// times gives info the clock's modification time, if the wrapper wrote it.
func (w *wrapper) times(info backend.ObjectInfo) backend.ObjectInfo {
	if w.opts.Clock == nil {
		return info
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.mtimes[info.Key]; ok {
		info.LastModified = t
	}
	return info
}

// Put stores the object; listings show the key's old state for Window.
func (w *wrapper) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if !w.own() {
		return w.inner.Put(ctx, key, r, opts)
	}
	if _, err := backend.CheckPut(key, r, opts); err != nil {
		return backend.ObjectInfo{}, err
	}
	done := w.beforeWrite(ctx, key)
	info, err := w.inner.Put(ctx, key, r, opts)
	if err != nil {
		return info, err
	}
	done(false)
	return w.times(info), nil
}

// Get is read-after-write.
func (w *wrapper) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := w.inner.Get(ctx, key, opts)
	return rc, w.times(info), err
}

// Stat is read-after-write.
func (w *wrapper) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	info, err := w.inner.Stat(ctx, key)
	return w.times(info), err
}

// Remove removes the object; listings still show it for Window.
func (w *wrapper) Remove(ctx context.Context, key string) error {
	if !w.own() {
		return w.inner.Remove(ctx, key)
	}
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	done := w.beforeWrite(ctx, key)
	if err := w.inner.Remove(ctx, key); err != nil {
		return err
	}
	done(true)
	return nil
}

// Close closes the inner backend.
func (w *wrapper) Close() error {
	return w.inner.Close()
}

// capabilities forwards the inner backend's optional capabilities;
// RemoveMany lags as Remove does.
type capabilities struct {
	w  *wrapper
	in observe.Caps
}

func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	if !x.w.own() {
		return x.in.BatchRemover.RemoveMany(ctx, keys)
	}
	dones := make([]func(bool), len(keys))
	for i, k := range keys {
		if backend.ValidateKey("remove", k) == nil {
			dones[i] = x.w.beforeWrite(ctx, k)
		}
	}
	err := x.in.BatchRemover.RemoveMany(ctx, keys)
	failed := map[string]bool{}
	for _, e := range unjoin(err) {
		var be *backend.Error
		if errors.As(e, &be) {
			failed[be.Key] = true
		}
	}
	for i, k := range keys {
		if dones[i] != nil && !failed[k] && (err == nil || len(failed) > 0) {
			dones[i](true)
		}
	}
	return err
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	return x.in.HealthChecker.Health(ctx)
}

func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	return x.in.Presigner.Presign(ctx, method, key, expiry, opts)
}

func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	return x.in.Lifecycler.SetExpiry(ctx, prefix, days)
}

func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	return x.in.Lifecycler.Expiry(ctx)
}
