package tracing

import (
	"context"
	"fmt"
	"io"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/objstore-dev/objstore/backend"
)

// ScopeName is the instrumentation scope of the tracer.
const ScopeName = "github.com/objstore-dev/objstore/backend/tracing"

// The attribute keys of the spans.
const (
	AttrBackend   = attribute.Key("objstore.backend")
	AttrKey       = attribute.Key("objstore.key")
	AttrSize      = attribute.Key("objstore.size")
	AttrOutcome   = attribute.Key("objstore.outcome")
	AttrBytesRead = attribute.Key("objstore.bytes_read")
	AttrCount     = attribute.Key("objstore.count")
	AttrEndpoint  = attribute.Key("objstore.endpoint")
	AttrFrom      = attribute.Key("objstore.from")
	AttrTo        = attribute.Key("objstore.to")
	AttrAttempt   = attribute.Key("objstore.attempt")
	AttrReason    = attribute.Key("objstore.reason")
	AttrError     = attribute.Key("objstore.error")
)

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Wrapper = (*Backend)(nil)
)

// Backend traces the operations of the backend it wraps. New returns it
// inside a value that also has exactly the optional capabilities of the
// inner backend, each traced too.
type Backend struct {
	inner  backend.Backend
	name   string
	tracer trace.Tracer
	obs    *FailoverObserver
}

// Option tunes New.
type Option func(*Backend)

// WithName sets the objstore.backend attribute; the default is the inner
// backend's String(), credentials redacted.
func WithName(name string) Option { return func(b *Backend) { b.name = name } }

// WithObserver links the wrapper to an Observer given to the failover
// layer below it, so that retries and failovers become events of the
// wrapper's spans.
func WithObserver(o *FailoverObserver) Option { return func(b *Backend) { b.obs = o } }

// New wraps inner with a span per operation from tp (nil: the global
// provider, otel.GetTracerProvider()).
func New(inner backend.Backend, tp trace.TracerProvider, opts ...Option) backend.Backend {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	b := &Backend{inner: inner, tracer: tp.Tracer(ScopeName)}
	for _, o := range opts {
		o(b)
	}
	if b.name == "" {
		if s, ok := inner.(fmt.Stringer); ok {
			b.name = backend.Redact(s.String())
		} else {
			b.name = fmt.Sprintf("%T", inner)
		}
	}
	return compose(b)
}

// Unwrap returns the inner backend.
func (b *Backend) Unwrap() backend.Backend { return b.inner }

// String names the wrapper and the inner backend.
func (b *Backend) String() string { return "tracing(" + b.name + ")" }

// op is one traced operation in flight.
type op struct {
	span    trace.Span
	untrack func()
}

// start begins the span of op on key. The failover layer names
// operations by (fop, key), which differs for remove-many only.
func (b *Backend) start(ctx context.Context, name, fop, key string, attrs ...attribute.KeyValue) (context.Context, op) {
	attrs = append(attrs, AttrBackend.String(b.name), AttrKey.String(key))
	ctx, span := b.tracer.Start(ctx, "objstore."+name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	o := op{span: span, untrack: func() {}}
	if b.obs != nil {
		o.untrack = b.obs.track(fop, key, span)
	}
	return ctx, o
}

// end records the outcome of the operation and ends its span.
func (o op) end(err error, attrs ...attribute.KeyValue) {
	setOutcome(o.span, err)
	o.span.SetAttributes(attrs...)
	o.untrack()
	o.span.End()
}

// setOutcome sets objstore.outcome and, for a failure, the error and the
// status. Not found is an answer, not a failure.
func setOutcome(span trace.Span, err error) {
	oc := outcome(err)
	span.SetAttributes(AttrOutcome.String(oc))
	if err != nil && oc != "not_found" {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
}

// Put traces a put; objstore.size is the declared size (when known) and,
// after success, the stored size.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	var attrs []attribute.KeyValue
	if opts.Size >= 0 {
		attrs = append(attrs, AttrSize.Int64(opts.Size))
	}
	ctx, o := b.start(ctx, "put", "put", key, attrs...)
	info, err := b.inner.Put(ctx, key, r, opts)
	if err == nil {
		o.end(nil, AttrSize.Int64(info.Size))
	} else {
		o.end(err)
	}
	return info, err
}

// Get traces a get until its reader is closed.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	ctx, o := b.start(ctx, "get", "get", key)
	rc, info, err := b.inner.Get(ctx, key, opts)
	if err != nil {
		o.end(err)
		return rc, info, err
	}
	o.span.SetAttributes(AttrSize.Int64(info.Size))
	return &getReader{rc: rc, op: o}, info, nil
}

// Stat traces a stat.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	ctx, o := b.start(ctx, "stat", "stat", key)
	info, err := b.inner.Stat(ctx, key)
	if err == nil {
		o.end(nil, AttrSize.Int64(info.Size))
	} else {
		o.end(err)
	}
	return info, err
}

// List traces one page; objstore.key is the prefix.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	ctx, o := b.start(ctx, "list", "list", opts.Prefix)
	page, err := b.inner.List(ctx, opts)
	o.end(err, AttrCount.Int(len(page.Objects)))
	return page, err
}

// Remove traces a remove.
func (b *Backend) Remove(ctx context.Context, key string) error {
	ctx, o := b.start(ctx, "remove", "remove", key)
	err := b.inner.Remove(ctx, key)
	o.end(err)
	return err
}

// Close closes the inner backend; it is not traced.
func (b *Backend) Close() error { return b.inner.Close() }
