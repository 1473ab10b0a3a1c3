package logging

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// DefaultSlowThreshold is the duration from which a successful operation
// is logged at Warn, unless WithSlowThreshold says otherwise.
const DefaultSlowThreshold = 2 * time.Second

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Wrapper = (*Backend)(nil)
)

// Backend logs the operations of the backend it wraps, and the retries,
// failovers and endpoint changes of a retry layer below it (see the
// package doc for the levels). New returns it inside a value that also
// has exactly the optional capabilities of the inner backend, each logged
// too.
type Backend struct {
	inner  backend.Backend
	logger *slog.Logger
	name   string
	slow   time.Duration
}

// Option tunes New.
type Option func(*config)

type config struct {
	name string
	slow time.Duration
}

// WithName sets the "backend" attribute; the default is the inner
// backend's String(), credentials redacted.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithSlowThreshold sets the duration from which a successful operation
// is logged at Warn; 0 or less turns slow-operation logging off.
func WithSlowThreshold(d time.Duration) Option { return func(c *config) { c.slow = d } }

// New wraps inner, logging to logger (nil: slog.Default()).
func New(inner backend.Backend, logger *slog.Logger, opts ...Option) backend.Backend {
	c := config{slow: DefaultSlowThreshold}
	for _, o := range opts {
		o(&c)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if c.name == "" {
		c.name = observe.Name(inner)
	}
	b := &Backend{inner: inner, logger: logger, name: backend.Redact(c.name), slow: c.slow}
	in := observe.CapsOf(inner)
	return observe.Compose(b, in.ServedBy(capabilities{b, in}))
}

// Unwrap returns the inner backend.
func (b *Backend) Unwrap() backend.Backend { return b.inner }

// String names the wrapper and the inner backend.
func (b *Backend) String() string { return "logging(" + b.name + ")" }

// levelFor is the level of a failed or successful operation by outcome.
func levelFor(oc string) slog.Level {
	switch oc {
	case observe.OutcomeOK, observe.OutcomeNotFound:
		return slog.LevelDebug
	case observe.OutcomeCanceled:
		return slog.LevelInfo
	case observe.OutcomeExist, observe.OutcomeInvalid:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// log writes the record of one finished operation, if the logger wants
// its level.
func (b *Backend) log(ctx context.Context, op, key string, start time.Time, err error, extra ...slog.Attr) {
	d := time.Since(start)
	oc := observe.Outcome(err)
	level := levelFor(oc)
	msg := "objstore: operation failed"
	switch {
	case err == nil && b.slow > 0 && d >= b.slow:
		level, msg = slog.LevelWarn, "objstore: slow operation"
	case err == nil || oc == observe.OutcomeNotFound:
		msg = "objstore: operation"
	}
	if !b.logger.Enabled(ctx, level) {
		return
	}
	attrs := append([]slog.Attr{
		slog.String("op", op),
		slog.String("key", key),
		slog.String("backend", b.name),
		slog.String("outcome", oc),
		slog.Duration("duration", d),
	}, extra...)
	if err != nil {
		attrs = append(attrs, slog.String("error", errText(err)))
	}
	b.logger.LogAttrs(ctx, level, msg, attrs...)
}

// attempts returns ctx with the hook that logs the attempt events
// (backend.AttemptEvent) that a retry layer below reports for op on key:
// retries at Debug, failovers and endpoints coming back at Info,
// endpoints going down and resolver failures at Warn. The records are
// logged with ctx, so that a handler adds what it carries (a trace or
// request ID).
func (b *Backend) attempts(ctx context.Context, op, key string) context.Context {
	if !b.logger.Enabled(ctx, slog.LevelWarn) {
		return ctx // every attempt record would be dropped
	}
	return backend.WithAttemptHook(ctx, func(ev backend.AttemptEvent) { b.attempt(ctx, op, key, ev) })
}

func (b *Backend) attempt(ctx context.Context, op, key string, ev backend.AttemptEvent) {
	var (
		level slog.Level
		msg   string
		extra []slog.Attr
	)
	switch ev.Kind {
	case backend.AttemptRetry:
		level, msg = slog.LevelDebug, "objstore: retrying"
		extra = []slog.Attr{slog.String("endpoint", backend.Redact(ev.Endpoint)), slog.Int("attempt", ev.Attempt), slog.Duration("backoff", ev.Delay)}
	case backend.AttemptFailover:
		level, msg = slog.LevelInfo, "objstore: failing over"
		extra = []slog.Attr{slog.String("from", backend.Redact(ev.Endpoint)), slog.String("to", backend.Redact(ev.To)), slog.Int("attempt", ev.Attempt)}
	case backend.AttemptEndpointDown:
		level, msg = slog.LevelWarn, "objstore: endpoint down"
		extra = []slog.Attr{slog.String("endpoint", backend.Redact(ev.Endpoint))}
	case backend.AttemptEndpointUp:
		level, msg = slog.LevelInfo, "objstore: endpoint up"
		extra = []slog.Attr{slog.String("endpoint", backend.Redact(ev.Endpoint))}
	case backend.AttemptResolve:
		level, msg = slog.LevelInfo, "objstore: endpoints changed"
		if ev.Err != nil {
			level, msg = slog.LevelWarn, "objstore: resolving the endpoints failed; keeping them"
		} else {
			extra = []slog.Attr{slog.String("endpoints", scrub(ev.Endpoint))}
		}
	default:
		return
	}
	if !b.logger.Enabled(ctx, level) {
		return
	}
	attrs := append([]slog.Attr{slog.String("op", op), slog.String("key", key), slog.String("backend", b.name)}, extra...)
	if ev.Err != nil {
		attrs = append(attrs, slog.String("reason", observe.Outcome(ev.Err)), slog.String("error", errText(ev.Err)))
	}
	b.logger.LogAttrs(ctx, level, msg, attrs...)
}

// Put logs a put with its declared size.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := b.inner.Put(b.attempts(ctx, "put", key), key, r, opts)
	size := opts.Size
	if err == nil {
		size = info.Size
	}
	b.log(ctx, "put", key, start, err, slog.Int64("size", size))
	return info, err
}

// Get logs the call until the reader is returned; the reader logs a body
// that fails later.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	start := time.Now()
	rc, info, err := b.inner.Get(b.attempts(ctx, "get", key), key, opts)
	if err != nil {
		b.log(ctx, "get", key, start, err)
		return rc, info, err
	}
	b.log(ctx, "get", key, start, nil, slog.Int64("size", info.Size))
	return &getReader{rc: rc, b: b, ctx: ctx, key: key, start: start}, info, nil
}

// Stat logs a stat.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	start := time.Now()
	info, err := b.inner.Stat(b.attempts(ctx, "stat", key), key)
	b.log(ctx, "stat", key, start, err)
	return info, err
}

// List logs one page; key is the prefix.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	start := time.Now()
	page, err := b.inner.List(b.attempts(ctx, "list", opts.Prefix), opts)
	b.log(ctx, "list", opts.Prefix, start, err, slog.Int("count", len(page.Objects)))
	return page, err
}

// Remove logs a remove.
func (b *Backend) Remove(ctx context.Context, key string) error {
	start := time.Now()
	err := b.inner.Remove(b.attempts(ctx, "remove", key), key)
	b.log(ctx, "remove", key, start, err)
	return err
}

// Close closes the inner backend and logs a failure to close at Error.
func (b *Backend) Close() error {
	err := b.inner.Close()
	if err != nil {
		b.logger.LogAttrs(context.Background(), slog.LevelError, "objstore: close failed",
			slog.String("backend", b.name), slog.String("error", errText(err)))
	}
	return err
}
