package metrics

import (
	"context"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Wrapper = (*Backend)(nil)
)

// Backend counts and times the operations of the backend it wraps, and
// the retries, failovers and endpoint changes of a retry layer below it
// (backend/failover), which it hears through the attempt hook it adds to
// the context of every call (backend.WithAttemptHook). New returns it
// inside a value that also has exactly the optional capabilities
// (BatchRemover, HealthChecker, Presigner, Lifecycler, Composer, Copier)
// of the inner backend, each instrumented too, so that backend.As finds
// the same capabilities with and without the wrapper.
type Backend struct {
	inner backend.Backend
	name  string
	m     opMetrics
}

// New wraps inner with metrics registered on reg (nil means
// prometheus.DefaultRegisterer). See the package doc for the metrics and
// for sharing a registry between wrappers.
func New(inner backend.Backend, reg prometheus.Registerer, opts ...Option) backend.Backend {
	c := newConfig(opts)
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	if c.name == "" {
		c.name = observe.Name(inner)
	}
	b := &Backend{inner: inner, name: c.name, m: newOpMetrics(reg, c.namespace)}
	in := observe.CapsOf(inner)
	return observe.Compose(b, in.ServedBy(capabilities{b, in}))
}

// Unwrap returns the inner backend.
func (b *Backend) Unwrap() backend.Backend { return b.inner }

// String names the wrapper and the inner backend.
func (b *Backend) String() string { return "metrics(" + b.name + ")" }

// attempts returns ctx with the hook that counts the attempt events of op
// (backend.AttemptEvent) that a retry layer below reports: retries by
// the outcome of the failed attempt, failovers, and endpoint_up.
func (b *Backend) attempts(ctx context.Context, op string) context.Context {
	return backend.WithAttemptHook(ctx, func(ev backend.AttemptEvent) {
		switch ev.Kind {
		case backend.AttemptRetry:
			b.m.retries.WithLabelValues(b.name, op, Outcome(ev.Err)).Inc()
		case backend.AttemptFailover:
			b.m.failovers.WithLabelValues(b.name, op).Inc()
		case backend.AttemptEndpointDown:
			b.m.up.WithLabelValues(b.name, backend.Redact(ev.Endpoint)).Set(0)
		case backend.AttemptEndpointUp:
			b.m.up.WithLabelValues(b.name, backend.Redact(ev.Endpoint)).Set(1)
		}
	})
}

// done records one finished operation.
func (b *Backend) done(op string, start time.Time, err error) {
	b.m.ops.WithLabelValues(b.name, op, Outcome(err)).Inc()
	b.m.duration.WithLabelValues(b.name, op).Observe(time.Since(start).Seconds())
}

// Put counts the bytes actually read from r; r keeps its io.Seeker and
// io.ReaderAt so that retry layers below can still rewind it.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	cr, n := countReader(r)
	info, err := b.inner.Put(b.attempts(ctx, "put"), key, cr, opts)
	b.m.uploaded.WithLabelValues(b.name).Add(float64(n.Load()))
	b.done("put", start, err)
	return info, err
}

// Get times the call until the reader is returned; the reader adds its
// bytes to downloaded_bytes_total at EOF or Close, and counts a failed
// read as op "read".
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	start := time.Now()
	rc, info, err := b.inner.Get(b.attempts(ctx, "get"), key, opts)
	b.done("get", start, err)
	if err != nil {
		return rc, info, err
	}
	return &getReader{rc: rc, b: b}, info, nil
}

// Stat is timed and counted.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := b.inner.Stat(b.attempts(ctx, "stat"), key)
	b.done("stat", start, err)
	return info, err
}

// List is timed and counted, once per page.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	start := time.Now()
	page, err := b.inner.List(b.attempts(ctx, "list"), opts)
	b.done("list", start, err)
	return page, err
}

// Remove is timed and counted.
func (b *Backend) Remove(ctx context.Context, key string) error {
	start := time.Now()
	err := b.inner.Remove(b.attempts(ctx, "remove"), key)
	b.done("remove", start, err)
	return err
}

// Close closes the inner backend; it is not counted.
func (b *Backend) Close() error { return b.inner.Close() }
