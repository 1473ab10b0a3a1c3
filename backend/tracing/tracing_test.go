package tracing_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/tracing"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

func newProvider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })
	return tp, exp
}

// attrs returns a span's attributes as a map.
func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// only returns the one ended span called name.
func only(t *testing.T, exp *tracetest.InMemoryExporter, name string) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == name {
			found = append(found, s)
		}
	}
	require.Lenf(t, found, 1, "spans called %s", name)
	return found[0]
}

func TestSpans(t *testing.T) {
	tp, exp := newProvider(t)
	b := tracing.New(mem.New(), tp, tracing.WithName("store"))
	ctx, parent := tp.Tracer("test").Start(t.Context(), "parent")

	_, err := b.Put(ctx, "a/b", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	_, err = b.Put(ctx, "a/b", strings.NewReader("again"), backend.PutOptions{Size: -1, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	_, err = b.Stat(ctx, "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	_, err = b.List(ctx, backend.ListOptions{Prefix: "a/"})
	require.NoError(t, err)
	require.NoError(t, b.Remove(ctx, "a/b"))
	parent.End()

	spans := exp.GetSpans()
	require.Len(t, spans, 6)
	for _, s := range spans[:5] {
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "%s is a child of the caller's span", s.Name)
		assert.Equal(t, trace.SpanKindClient, s.SpanKind)
		assert.Equal(t, "store", attrs(s.Attributes)[tracing.AttrBackend].AsString())
		assert.Equal(t, tracing.ScopeName, s.InstrumentationScope.Name)
	}
	names := []string{spans[0].Name, spans[1].Name, spans[2].Name, spans[3].Name, spans[4].Name}
	assert.Equal(t, []string{"objstore.put", "objstore.put", "objstore.stat", "objstore.list", "objstore.remove"}, names)

	ok := attrs(spans[0].Attributes)
	assert.Equal(t, "a/b", ok[tracing.AttrKey].AsString())
	assert.Equal(t, int64(5), ok[tracing.AttrSize].AsInt64())
	assert.Equal(t, "ok", ok[tracing.AttrOutcome].AsString())
	assert.Equal(t, codes.Unset, spans[0].Status.Code)

	exist := attrs(spans[1].Attributes)
	assert.Equal(t, "exist", exist[tracing.AttrOutcome].AsString())
	_, hasSize := exist[tracing.AttrSize]
	assert.False(t, hasSize, "an unknown size is not recorded")
	assert.Equal(t, codes.Error, spans[1].Status.Code)
	assert.Contains(t, spans[1].Status.Description, "already exists")
	require.Len(t, spans[1].Events, 1)
	assert.Equal(t, "exception", spans[1].Events[0].Name)

	missing := attrs(spans[2].Attributes)
	assert.Equal(t, "not_found", missing[tracing.AttrOutcome].AsString())
	assert.Equal(t, codes.Unset, spans[2].Status.Code, "not found is an answer, not a failure")
	assert.Empty(t, spans[2].Events)

	list := attrs(spans[3].Attributes)
	assert.Equal(t, "a/", list[tracing.AttrKey].AsString())
	assert.Equal(t, int64(1), list[tracing.AttrCount].AsInt64())
}

// A Get span lasts until the reader is closed and records the bytes read.
func TestGetSpanEndsAtClose(t *testing.T) {
	tp, exp := newProvider(t)
	b := tracing.New(mem.New(), tp)
	_, err := b.Put(t.Context(), "k", strings.NewReader("0123456789"), backend.PutOptions{Size: 10})
	require.NoError(t, err)
	exp.Reset()

	rc, _, err := b.Get(t.Context(), "k", backend.GetOptions{Offset: 2, Length: 5})
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "23456", string(data))
	assert.Empty(t, exp.GetSpans(), "the span is open while the reader is")
	require.NoError(t, rc.Close())
	require.NoError(t, rc.Close(), "a second Close is harmless")
	s := only(t, exp, "objstore.get")
	a := attrs(s.Attributes)
	assert.Equal(t, int64(10), a[tracing.AttrSize].AsInt64())
	assert.Equal(t, int64(5), a[tracing.AttrBytesRead].AsInt64())
	assert.Equal(t, "ok", a[tracing.AttrOutcome].AsString())
	assert.Equal(t, "mem", a[tracing.AttrBackend].AsString())

	exp.Reset()
	_, _, err = b.Get(t.Context(), "nope", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Equal(t, "not_found", attrs(only(t, exp, "objstore.get").Attributes)[tracing.AttrOutcome].AsString())
}

func TestBrokenGetBody(t *testing.T) {
	tp, exp := newProvider(t)
	fault := backend.NewError("get", "k", backend.ErrUnavailable, io.ErrUnexpectedEOF)
	b := tracing.New(observetest.Breaking{Backend: mem.New(), Err: fault}, tp)
	_, err := b.Put(t.Context(), "k", strings.NewReader("abcdef"), backend.PutOptions{Size: 6})
	require.NoError(t, err)
	rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
	require.NoError(t, err)
	_, err = io.ReadAll(rc)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	require.NoError(t, rc.Close())
	s := only(t, exp, "objstore.get")
	assert.Equal(t, codes.Error, s.Status.Code)
	a := attrs(s.Attributes)
	assert.Equal(t, "unavailable", a[tracing.AttrOutcome].AsString())
	assert.Equal(t, int64(2), a[tracing.AttrBytesRead].AsInt64())
}

func TestCapabilities(t *testing.T) {
	tp, exp := newProvider(t)
	ctx := t.Context()
	b := tracing.New(mem.New(), tp)
	br, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok)
	_, ok = b.(backend.Presigner)
	assert.False(t, ok)
	require.NoError(t, br.RemoveMany(ctx, []string{"x", "y"}))
	assert.Equal(t, int64(2), attrs(only(t, exp, "objstore.remove-many").Attributes)[tracing.AttrCount].AsInt64())

	bare := tracing.New(struct{ backend.Backend }{mem.New()}, tp)
	_, ok = bare.(backend.BatchRemover)
	assert.False(t, ok)

	f := tracing.New(observetest.NewFull(), tp)
	_, err := f.(backend.HealthChecker).Health(ctx)
	require.NoError(t, err)
	u, err := f.(backend.Presigner).Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	_, err = f.(backend.Presigner).Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	require.NoError(t, f.(backend.Lifecycler).SetExpiry(ctx, "logs/", 3))
	_, err = f.(backend.Lifecycler).Expiry(ctx)
	require.NoError(t, err)
	for _, name := range []string{"objstore.health", "objstore.presign-get", "objstore.presign-put", "objstore.set-expiry", "objstore.expiry"} {
		s := only(t, exp, name)
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.Emit(), observetest.PresignSecret, "a presigned URL is never recorded")
		}
	}
	assert.Contains(t, u, observetest.PresignSecret)
}

// Through the real failover wrapper, with one endpoint down and nothing
// configured in it: the retries, failovers and the endpoint going down
// that it reports to the hook in the call's context become events of the
// operation's span.
func TestFailoverEvents(t *testing.T) {
	tp, exp := newProvider(t)
	fb, err := observetest.Failover(t.Context())
	require.NoError(t, err)
	b := tracing.New(fb, tp)
	t.Cleanup(func() { require.NoError(t, b.Close()) })

	// Round robin sends one of the first two operations to the dead
	// endpoint.
	for _, k := range []string{"k1", "k2"} {
		_, err := b.Put(t.Context(), k, strings.NewReader("data"), backend.PutOptions{Size: 4})
		require.NoError(t, err)
	}
	var events []sdktrace.Event
	for _, s := range exp.GetSpans() {
		require.Equal(t, "objstore.put", s.Name)
		assert.Equal(t, codes.Unset, s.Status.Code, "the retried put succeeded")
		events = append(events, s.Events...)
	}
	require.Len(t, events, 3, "the endpoint down, one retry and one failover")
	assert.Equal(t, "objstore.endpoint-down", events[0].Name)
	d := attrs(events[0].Attributes)
	assert.Equal(t, observetest.DeadEndpoint, d[tracing.AttrEndpoint].AsString())
	assert.Equal(t, "unavailable", d[tracing.AttrReason].AsString())
	assert.Equal(t, "objstore.retry", events[1].Name)
	r := attrs(events[1].Attributes)
	assert.Equal(t, observetest.DeadEndpoint, r[tracing.AttrEndpoint].AsString())
	assert.Equal(t, "unavailable", r[tracing.AttrReason].AsString())
	assert.Equal(t, int64(1), r[tracing.AttrAttempt].AsInt64())
	assert.Contains(t, r[tracing.AttrError].AsString(), "connection refused")
	assert.Equal(t, "objstore.failover", events[2].Name)
	f := attrs(events[2].Attributes)
	assert.Equal(t, observetest.DeadEndpoint, f[tracing.AttrFrom].AsString())
	assert.Equal(t, observetest.LiveEndpoint, f[tracing.AttrTo].AsString())
}

// An event goes to the span of the operation whose call it comes with,
// and to no other: not to another operation in flight on the same key.
// A span that is not recording gets no hook.
func TestEventsGoToTheirOperationsSpan(t *testing.T) {
	tp, exp := newProvider(t)
	fault := backend.NewError("stat", "k", backend.ErrServerBusy, errors.New("SlowDown"))
	one := tracing.New(observetest.Reporting{Backend: mem.New(), Events: []backend.AttemptEvent{
		{Kind: backend.AttemptRetry, Op: "stat", Key: "k", Endpoint: "http://user:secret@n1:9000", Attempt: 2, Err: fault, Delay: time.Second},
	}}, tp, tracing.WithName("one"))
	two := tracing.New(observetest.Reporting{Backend: mem.New(), Events: []backend.AttemptEvent{
		{Kind: backend.AttemptFailover, Op: "stat", Key: "k", Endpoint: "n1:9000", To: "n2:9000", Attempt: 1, Err: fault},
		{Kind: backend.AttemptEndpointUp, Op: "stat", Key: "k", Endpoint: "n3:9000"},
		{Kind: backend.AttemptResolve, Op: "stat", Key: "k", Endpoint: "n1:9000,n2:9000"},
	}}, tp, tracing.WithName("two"))
	for _, b := range []backend.Backend{one, two} {
		_, err := b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
	}
	spans := exp.GetSpans()
	require.Len(t, spans, 2)
	spanOne, spanTwo := spans[0], spans[1]
	require.Len(t, spanOne.Events, 1)
	assert.Equal(t, "objstore.retry", spanOne.Events[0].Name)
	r := attrs(spanOne.Events[0].Attributes)
	assert.Equal(t, "http://user:xxxxx@n1:9000", r[tracing.AttrEndpoint].AsString(), "endpoints are redacted")
	assert.Equal(t, int64(2), r[tracing.AttrAttempt].AsInt64())
	assert.Equal(t, "busy", r[tracing.AttrReason].AsString())
	assert.Equal(t, "1s", r[tracing.AttrDelay].AsString())
	require.Len(t, spanTwo.Events, 3)
	assert.Equal(t, "objstore.failover", spanTwo.Events[0].Name)
	assert.Equal(t, "n2:9000", attrs(spanTwo.Events[0].Attributes)[tracing.AttrTo].AsString())
	assert.Equal(t, "objstore.endpoint-up", spanTwo.Events[1].Name)
	assert.Equal(t, "n3:9000", attrs(spanTwo.Events[1].Attributes)[tracing.AttrEndpoint].AsString())
	assert.Equal(t, "objstore.resolve", spanTwo.Events[2].Name)
	assert.Equal(t, "n1:9000,n2:9000", attrs(spanTwo.Events[2].Attributes)[tracing.AttrEndpoint].AsString())

	// A span that is not recording: the inner backend sees no hook.
	never := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	t.Cleanup(func() { require.NoError(t, never.Shutdown(context.Background())) })
	hooks := -1
	unsampled := tracing.New(hookCounter{Backend: mem.New(), n: &hooks}, never)
	_, err := unsampled.Stat(t.Context(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Zero(t, hooks)
}

// hookCounter records the number of attempt hooks in the context of Stat.
type hookCounter struct {
	*mem.Backend
	n *int
}

func (h hookCounter) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	*h.n = len(backend.AttemptHooks(ctx))
	return h.Backend.Stat(ctx, key)
}

// Copy and Compose through the wrapper are traced, as objstore.copy and
// objstore.compose, with the destination as objstore.key.
func TestCopyAndCompose(t *testing.T) {
	tp, exp := newProvider(t)
	ctx := t.Context()
	b := tracing.New(observetest.NewFull(), tp, tracing.WithName("store"))
	_, err := b.Put(ctx, "a", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)

	cp, ok := b.(backend.Copier)
	require.True(t, ok, "the wrapper itself copies, traced")
	_, err = cp.Copy(ctx, "c", "a", backend.CopyOptions{})
	require.NoError(t, err)
	s := only(t, exp, "objstore.copy")
	a := attrs(s.Attributes)
	assert.Equal(t, trace.SpanKindClient, s.SpanKind)
	assert.Equal(t, "store", a[tracing.AttrBackend].AsString())
	assert.Equal(t, "c", a[tracing.AttrKey].AsString())
	assert.Equal(t, "a", a[tracing.AttrSrc].AsString())
	assert.Equal(t, int64(5), a[tracing.AttrSize].AsInt64())
	assert.Equal(t, "ok", a[tracing.AttrOutcome].AsString())

	exp.Reset()
	_, err = cp.Copy(ctx, "d", "missing", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrNotFound)
	s = only(t, exp, "objstore.copy")
	assert.Equal(t, "not_found", attrs(s.Attributes)[tracing.AttrOutcome].AsString())
	assert.Equal(t, codes.Unset, s.Status.Code, "not found is an answer")

	k, ok := b.(backend.Composer)
	require.True(t, ok, "the wrapper itself composes, traced")
	_, err = k.Compose(ctx, "e", []backend.ObjectInfo{{Key: "a", Size: 5}, {Key: "c", Size: 5}}, backend.PutOptions{Size: -1})
	require.NoError(t, err)
	a = attrs(only(t, exp, "objstore.compose").Attributes)
	assert.Equal(t, "e", a[tracing.AttrKey].AsString())
	assert.Equal(t, int64(2), a[tracing.AttrCount].AsInt64())
	assert.Equal(t, int64(10), a[tracing.AttrSize].AsInt64())
}
