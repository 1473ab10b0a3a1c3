package tracing

import (
	"context"
	"io"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// ScopeName is the instrumentation scope of the tracer.
const ScopeName = "github.com/objstore-dev/objstore/backend/tracing"

// The attribute keys of the spans.
const (
	AttrBackend   = attribute.Key("objstore.backend")
	AttrKey       = attribute.Key("objstore.key")
	AttrSrc       = attribute.Key("objstore.src")
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
	AttrDelay     = attribute.Key("objstore.delay")
)

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Wrapper = (*Backend)(nil)
)

// Backend traces the operations of the backend it wraps, with the
// retries, failovers and endpoint changes of a retry layer below it as
// events of each operation's span. New returns it inside a value that
// also has exactly the optional capabilities of the inner backend, each
// traced too.
type Backend struct {
	inner  backend.Backend
	name   string
	tracer trace.Tracer
}

// Option tunes New.
type Option func(*Backend)

// WithName sets the objstore.backend attribute; the default is the inner
// backend's String(), credentials redacted.
func WithName(name string) Option { return func(b *Backend) { b.name = name } }

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
		b.name = observe.Name(inner)
	}
	in := observe.CapsOf(inner)
	return observe.Compose(b, in.ServedBy(capabilities{b, in}))
}

// Unwrap returns the inner backend.
func (b *Backend) Unwrap() backend.Backend { return b.inner }

// String names the wrapper and the inner backend.
func (b *Backend) String() string { return "tracing(" + b.name + ")" }

// start begins the span of op on key. The context it returns, given to
// the inner backend, carries the span, so that HTTP instrumentation below
// nests under it, and, when the span records, an attempt hook
// (backend.WithAttemptHook) that adds the events of a retry layer below
// to it.
func (b *Backend) start(ctx context.Context, op, key string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	attrs = append(attrs, AttrBackend.String(b.name), AttrKey.String(key))
	ctx, span := b.tracer.Start(ctx, "objstore."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if span.IsRecording() {
		ctx = backend.WithAttemptHook(ctx, func(ev backend.AttemptEvent) { addEvent(span, ev) })
	}
	return ctx, span
}

// addEvent adds an attempt event to span, named "objstore." and its kind
// (objstore.retry, objstore.failover, objstore.endpoint-down,
// objstore.endpoint-up, objstore.resolve). Endpoints are redacted.
func addEvent(span trace.Span, ev backend.AttemptEvent) {
	var attrs []attribute.KeyValue
	switch ev.Kind {
	case backend.AttemptRetry:
		attrs = append(attrs, AttrEndpoint.String(backend.Redact(ev.Endpoint)), AttrAttempt.Int(ev.Attempt),
			AttrDelay.String(ev.Delay.String()))
	case backend.AttemptFailover:
		attrs = append(attrs, AttrFrom.String(backend.Redact(ev.Endpoint)), AttrTo.String(backend.Redact(ev.To)),
			AttrAttempt.Int(ev.Attempt))
	case backend.AttemptEndpointDown, backend.AttemptEndpointUp:
		attrs = append(attrs, AttrEndpoint.String(backend.Redact(ev.Endpoint)))
	case backend.AttemptResolve:
		if ev.Err == nil { // the list, whose names the retry layer redacted
			attrs = append(attrs, AttrEndpoint.String(ev.Endpoint))
		}
	}
	if ev.Err != nil {
		attrs = append(attrs, AttrReason.String(observe.Outcome(ev.Err)), AttrError.String(ev.Err.Error()))
	}
	span.AddEvent("objstore."+ev.Kind.String(), trace.WithAttributes(attrs...))
}

// end records the outcome of an operation on its span and ends it. Not
// found is an answer, not a failure: it sets objstore.outcome only.
func end(span trace.Span, err error, attrs ...attribute.KeyValue) {
	oc := observe.Outcome(err)
	span.SetAttributes(AttrOutcome.String(oc))
	if err != nil && oc != observe.OutcomeNotFound {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attrs...)
	span.End()
}

// Put traces a put; objstore.size is the declared size (when known) and,
// after success, the stored size.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	var attrs []attribute.KeyValue
	if opts.Size >= 0 {
		attrs = append(attrs, AttrSize.Int64(opts.Size))
	}
	ctx, span := b.start(ctx, "put", key, attrs...)
	info, err := b.inner.Put(ctx, key, r, opts)
	if err == nil {
		end(span, nil, AttrSize.Int64(info.Size))
	} else {
		end(span, err)
	}
	return info, err
}

// Get traces a get until its reader is closed.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	ctx, span := b.start(ctx, "get", key)
	rc, info, err := b.inner.Get(ctx, key, opts)
	if err != nil {
		end(span, err)
		return rc, info, err
	}
	span.SetAttributes(AttrSize.Int64(info.Size))
	return &getReader{rc: rc, span: span}, info, nil
}

// Stat traces a stat.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	ctx, span := b.start(ctx, "stat", key)
	info, err := b.inner.Stat(ctx, key)
	if err == nil {
		end(span, nil, AttrSize.Int64(info.Size))
	} else {
		end(span, err)
	}
	return info, err
}

// List traces one page; objstore.key is the prefix.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	ctx, span := b.start(ctx, "list", opts.Prefix)
	page, err := b.inner.List(ctx, opts)
	end(span, err, AttrCount.Int(len(page.Objects)))
	return page, err
}

// Remove traces a remove.
func (b *Backend) Remove(ctx context.Context, key string) error {
	ctx, span := b.start(ctx, "remove", key)
	err := b.inner.Remove(ctx, key)
	end(span, err)
	return err
}

// Close closes the inner backend; it is not traced.
func (b *Backend) Close() error { return b.inner.Close() }
