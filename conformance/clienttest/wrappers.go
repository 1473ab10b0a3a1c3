package clienttest

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/objstore-dev/objstore/backend"
)

// counting forwards every call to the real backend and counts them. It has
// no Unwrap and no RemoveMany, so it also hides the inner backend's
// capabilities: through it the client must fall back to one Remove per key.
type counting struct {
	backend.Backend
	puts, gets, stats, lists, removes atomic.Int64

	mu           sync.Mutex
	listPrefixes []string
}

func (c *counting) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	c.puts.Add(1)
	return c.Backend.Put(ctx, key, r, opts)
}

func (c *counting) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	c.gets.Add(1)
	return c.Backend.Get(ctx, key, opts)
}

func (c *counting) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	c.stats.Add(1)
	return c.Backend.Stat(ctx, key)
}

func (c *counting) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	c.lists.Add(1)
	c.mu.Lock()
	c.listPrefixes = append(c.listPrefixes, opts.Prefix)
	c.mu.Unlock()
	return c.Backend.List(ctx, opts)
}

func (c *counting) Remove(ctx context.Context, key string) error {
	c.removes.Add(1)
	return c.Backend.Remove(ctx, key)
}

func (c *counting) total() int64 {
	return c.puts.Load() + c.gets.Load() + c.stats.Load() + c.lists.Load() + c.removes.Load()
}

// batching is a BatchRemover over the real backend that records the size
// of every batch. It uses the real backend's RemoveMany when there is one.
type batching struct {
	counting
	batchMu sync.Mutex
	batches []int
}

var _ backend.BatchRemover = (*batching)(nil)

func (b *batching) RemoveMany(ctx context.Context, keys []string) error {
	b.batchMu.Lock()
	b.batches = append(b.batches, len(keys))
	b.batchMu.Unlock()
	if br, ok := backend.As[backend.BatchRemover](b.Backend); ok {
		return br.RemoveMany(ctx, keys)
	}
	var errs []error
	for _, k := range keys {
		if err := b.Backend.Remove(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// failing refuses to remove keys that contain "deny", the way a store
// with an object lock or a restrictive policy would, and removes the
// others through the real backend. With batch set it is a BatchRemover.
type failing struct {
	backend.Backend
}

func denied(key string) error {
	return backend.NewError("remove", key, backend.ErrPermission, errors.New("refused by the test's policy"))
}

func (f *failing) Remove(ctx context.Context, key string) error {
	if strings.Contains(key, "deny") {
		return denied(key)
	}
	return f.Backend.Remove(ctx, key)
}

type failingBatch struct {
	failing
}

func (f *failingBatch) RemoveMany(ctx context.Context, keys []string) error {
	var errs []error
	for _, k := range keys {
		if err := f.Remove(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// closable forwards to the real backend until its Close is called, and
// then fails every call with ErrClosed, without closing the real backend,
// which belongs to the factory's cleanup.
type closable struct {
	backend.Backend
	closed atomic.Bool
}

func (c *closable) check(op, key string) error {
	if c.closed.Load() {
		return backend.NewError(op, key, backend.ErrClosed, nil)
	}
	return nil
}

func (c *closable) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if err := c.check("put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return c.Backend.Put(ctx, key, r, opts)
}

func (c *closable) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := c.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	return c.Backend.Get(ctx, key, opts)
}

func (c *closable) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := c.check("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return c.Backend.Stat(ctx, key)
}

func (c *closable) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if err := c.check("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	return c.Backend.List(ctx, opts)
}

func (c *closable) Remove(ctx context.Context, key string) error {
	if err := c.check("remove", key); err != nil {
		return err
	}
	return c.Backend.Remove(ctx, key)
}

func (c *closable) Close() error {
	c.closed.Store(true)
	return nil
}

// gate holds the first Stat of a stream marker (a key ending in
// "/.inprogress") until release is closed, after telling entered. It lets
// a check run the writer exactly inside a reader's window between "the
// chunk is missing" and "is the marker there?".
type gate struct {
	backend.Backend
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func newGate(b backend.Backend) *gate {
	return &gate{Backend: b, entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if strings.HasSuffix(key, "/.inprogress") {
		first := false
		g.once.Do(func() { first = true })
		if first {
			close(g.entered)
			select {
			case <-g.release:
			case <-ctx.Done():
				return backend.ObjectInfo{}, backend.NewError("stat", key, nil, ctx.Err())
			}
		}
	}
	return g.Backend.Stat(ctx, key)
}
