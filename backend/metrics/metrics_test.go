package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

func put(t *testing.T, b backend.Backend, key, data string) {
	t.Helper()
	_, err := b.Put(t.Context(), key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
}

func TestOperationsByOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := metrics.New(mem.New(), reg, metrics.WithName("b"))
	ctx := t.Context()

	put(t, b, "a", "hello")
	_, err := b.Put(ctx, "b", iotest.OneByteReader(strings.NewReader("xyz")), backend.PutOptions{Size: -1})
	require.NoError(t, err)
	_, err = b.Put(ctx, "a", strings.NewReader("other"), backend.PutOptions{Size: 5, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	_, err = b.Put(ctx, "/bad", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = b.Put(cancelled, "c", strings.NewReader("abc"), backend.PutOptions{Size: 3})
	require.Error(t, err)

	assert.Equal(t, 2.0, ops(t, reg, "put", "ok"))
	assert.Equal(t, 1.0, ops(t, reg, "put", "exist"))
	assert.Equal(t, 1.0, ops(t, reg, "put", "invalid"))
	assert.Equal(t, 1.0, ops(t, reg, "put", "canceled"))
	assert.Equal(t, 5.0, value(t, reg, "objstore_operation_duration_seconds", map[string]string{"backend": "b", "op": "put"}))

	_, err = b.Stat(ctx, "a")
	require.NoError(t, err)
	_, err = b.Stat(ctx, "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	_, _, err = b.Get(ctx, "missing", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrNotFound)
	_, err = b.List(ctx, backend.ListOptions{Prefix: ""})
	require.NoError(t, err)
	require.NoError(t, b.Remove(ctx, "b"))

	assert.Equal(t, 1.0, ops(t, reg, "stat", "ok"))
	assert.Equal(t, 1.0, ops(t, reg, "stat", "not_found"))
	assert.Equal(t, 1.0, ops(t, reg, "get", "not_found"))
	assert.Equal(t, 1.0, ops(t, reg, "list", "ok"))
	assert.Equal(t, 1.0, ops(t, reg, "remove", "ok"))

	require.NoError(t, b.Close())
	_, err = b.Stat(ctx, "a")
	require.ErrorIs(t, err, backend.ErrClosed)
	assert.Equal(t, 1.0, ops(t, reg, "stat", "error"), "ErrClosed is an error outcome")
}

func TestBytes(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := metrics.New(mem.New(), reg, metrics.WithName("b"))
	ctx := t.Context()
	uploaded := func() float64 {
		return value(t, reg, "objstore_uploaded_bytes_total", map[string]string{"backend": "b"})
	}
	downloaded := func() float64 {
		v, _ := sample(t, reg, "objstore_downloaded_bytes_total", map[string]string{"backend": "b"})
		return v
	}

	put(t, b, "a", "hello world")
	assert.Equal(t, 11.0, uploaded())
	// A failed Put still counts the bytes it read.
	_, err := b.Put(ctx, "b", strings.NewReader("toolong"), backend.PutOptions{Size: 3})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.GreaterOrEqual(t, uploaded(), 14.0)
	before := uploaded()

	// Counted at EOF, before Close, and only once.
	rc, _, err := b.Get(ctx, "a", backend.WholeObject)
	require.NoError(t, err)
	assert.Equal(t, 0.0, downloaded(), "nothing is counted before the reader ends")
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.Equal(t, "hello world", string(data))
	assert.Equal(t, 11.0, downloaded())
	require.NoError(t, rc.Close())
	assert.Equal(t, 11.0, downloaded())

	// A reader closed early counts what it delivered.
	rc, _, err = b.Get(ctx, "a", backend.GetOptions{Offset: 2, Length: -1})
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(rc, buf)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, 15.0, downloaded())
	assert.Equal(t, before, uploaded(), "gets do not count as uploads")
}

// The Put reader keeps io.Seeker through the wrapper, so that a retry
// layer below can rewind it; re-read bytes are counted again.
func TestPutReaderKeepsSeeker(t *testing.T) {
	reg := prometheus.NewRegistry()
	inner := &rewinder{Backend: mem.New()}
	b := metrics.New(inner, reg, metrics.WithName("b"))
	_, err := b.Put(t.Context(), "k", bytes.NewReader([]byte("12345")), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	assert.True(t, inner.sawSeeker)
	assert.Equal(t, 10.0, value(t, reg, "objstore_uploaded_bytes_total", map[string]string{"backend": "b"}))

	inner.sawSeeker = false
	_, err = b.Put(t.Context(), "k2", iotest.OneByteReader(strings.NewReader("12345")), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	assert.False(t, inner.sawSeeker, "a reader that cannot seek must not gain Seek")
}

func TestBrokenGetBody(t *testing.T) {
	reg := prometheus.NewRegistry()
	fault := backend.NewError("get", "k", backend.ErrUnavailable, io.ErrUnexpectedEOF)
	inner := observetest.Breaking{Backend: mem.New(), Err: fault}
	b := metrics.New(inner, reg, metrics.WithName("b"))
	put(t, b, "k", "abcdef")
	rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Equal(t, "ab", string(data))
	_, err = rc.Read(make([]byte, 1))
	require.Error(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, 1.0, ops(t, reg, "get", "ok"))
	assert.Equal(t, 1.0, ops(t, reg, "read", "unavailable"), "one failed download, however often it is read")
	assert.Equal(t, 2.0, value(t, reg, "objstore_downloaded_bytes_total", map[string]string{"backend": "b"}))
}

func TestSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := metrics.New(mem.New(), reg, metrics.WithName("one"))
	b := metrics.New(mem.New(), reg, metrics.WithName("two"))
	c := metrics.New(mem.New(), reg, metrics.WithName("two"))
	for _, x := range []backend.Backend{a, b, c} {
		put(t, x, "k", "v")
	}
	busy := []backend.AttemptEvent{{Kind: backend.AttemptRetry, Op: "stat", Key: "k", Endpoint: "e1", Attempt: 1, Err: backend.ErrServerBusy}}
	for _, x := range []backend.Backend{
		metrics.New(observetest.Reporting{Backend: mem.New(), Events: busy}, reg, metrics.WithName("two")),
		metrics.New(observetest.Reporting{Backend: mem.New(), Events: busy}, reg, metrics.WithName("two")),
	} {
		_, err := x.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
	}
	lbl := func(name string) map[string]string {
		return map[string]string{"backend": name, "op": "put", "outcome": "ok"}
	}
	assert.Equal(t, 1.0, value(t, reg, "objstore_operations_total", lbl("one")))
	assert.Equal(t, 2.0, value(t, reg, "objstore_operations_total", lbl("two")))
	assert.Equal(t, 2.0, value(t, reg, "objstore_retries_total", map[string]string{"backend": "two", "op": "stat", "reason": "busy"}))

	// The default name is the inner backend's String(), redacted.
	d := metrics.New(mem.New(), reg)
	put(t, d, "k", "v")
	assert.Equal(t, 1.0, value(t, reg, "objstore_operations_total", lbl("mem")))
	assert.Equal(t, "metrics(mem)", d.(interface{ String() string }).String())

	// A foreign collector of the same name but another shape is a
	// programming error.
	other := prometheus.NewRegistry()
	other.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "objstore_operations_total", Help: "x"}))
	assert.Panics(t, func() { metrics.New(mem.New(), other) })
	// Another namespace makes other names.
	e := metrics.New(mem.New(), other, metrics.WithNamespace("captures"), metrics.WithName("b"))
	put(t, e, "k", "v")
	assert.Equal(t, 1.0, value(t, other, "captures_operations_total", map[string]string{"backend": "b", "op": "put", "outcome": "ok"}))
}

func TestCapabilities(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := t.Context()

	// mem has BatchRemover only: the wrapper has exactly that.
	inner := mem.New()
	b := metrics.New(inner, reg, metrics.WithName("b"))
	assert.Same(t, inner, b.(backend.Wrapper).Unwrap())
	br, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok)
	_, ok = br.(*mem.Backend)
	assert.False(t, ok, "As must find the instrumented RemoveMany, not mem's")
	_, ok = backend.As[backend.Presigner](b)
	assert.False(t, ok)
	_, ok = backend.As[backend.HealthChecker](b)
	assert.False(t, ok)
	_, ok = b.(backend.Lifecycler)
	assert.False(t, ok)
	put(t, b, "x", "1")
	require.NoError(t, br.RemoveMany(ctx, []string{"x", "y"}))
	assert.Equal(t, 1.0, ops(t, reg, "remove-many", "ok"))

	// A backend without capabilities gives a wrapper without them.
	bare := metrics.New(struct{ backend.Backend }{mem.New()}, reg, metrics.WithName("bare"))
	_, ok = bare.(backend.BatchRemover)
	assert.False(t, ok)

	// Every capability is forwarded and counted.
	f := metrics.New(observetest.NewFull(), reg, metrics.WithName("b"))
	h, ok := f.(backend.HealthChecker)
	require.True(t, ok)
	_, err := h.Health(ctx)
	require.NoError(t, err)
	p, ok := f.(backend.Presigner)
	require.True(t, ok)
	_, err = p.Presign(ctx, http.MethodGet, "k", 0, backend.PresignOptions{})
	require.NoError(t, err)
	_, err = p.Presign(ctx, http.MethodPut, "/bad", 0, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	l, ok := f.(backend.Lifecycler)
	require.True(t, ok)
	require.NoError(t, l.SetExpiry(ctx, "logs/", 7))
	got, err := l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 7}, got)
	_, ok = f.(backend.BatchRemover)
	assert.True(t, ok)
	for op, outcome := range map[string]string{"health": "ok", "presign-get": "ok", "presign-put": "invalid", "set-expiry": "ok", "expiry": "ok"} {
		assert.Equal(t, 1.0, ops(t, reg, op, outcome), op)
	}
}

// The attempt events that a retry layer below reports to the wrapper's
// hook (here a stand-in that reports them) are counted under the
// wrapper's name and operation: retries by the outcome of the failed
// attempt, failovers, and the endpoint_up gauge (endpoints redacted).
func TestAttemptEvents(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := metrics.New(observetest.Reporting{Backend: mem.New(), Events: []backend.AttemptEvent{
		{Kind: backend.AttemptRetry, Op: "stat", Key: "k", Endpoint: "n1:9000", Attempt: 1, Err: backend.NewError("stat", "k", backend.ErrUnavailable, nil)},
		{Kind: backend.AttemptEndpointDown, Op: "stat", Key: "k", Endpoint: "n1:9000"},
		{Kind: backend.AttemptFailover, Op: "stat", Key: "k", Endpoint: "n1:9000", To: "n2:9000", Attempt: 1, Err: backend.ErrUnavailable},
		{Kind: backend.AttemptRetry, Op: "stat", Key: "k", Endpoint: "n2:9000", Attempt: 2, Err: backend.NewError("stat", "k", backend.ErrServerBusy, nil)},
		{Kind: backend.AttemptEndpointUp, Op: "stat", Key: "k", Endpoint: "n2:9000"},
		{Kind: backend.AttemptEndpointDown, Op: "stat", Key: "k", Endpoint: "http://user:s3cr3t@n3:9000"},
		{Kind: backend.AttemptResolve, Op: "stat", Key: "k", Endpoint: "n1:9000,n2:9000"},
	}}, reg, metrics.WithName("cluster"))
	_, err := b.Stat(t.Context(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)

	r := func(reason string) map[string]string {
		return map[string]string{"backend": "cluster", "op": "stat", "reason": reason}
	}
	assert.Equal(t, 1.0, value(t, reg, "objstore_retries_total", r("unavailable")))
	assert.Equal(t, 1.0, value(t, reg, "objstore_retries_total", r("busy")))
	assert.Equal(t, 1.0, value(t, reg, "objstore_failovers_total", map[string]string{"backend": "cluster", "op": "stat"}))
	up := func(ep string) float64 {
		return value(t, reg, "objstore_endpoint_up", map[string]string{"backend": "cluster", "endpoint": ep})
	}
	assert.Equal(t, 0.0, up("n1:9000"))
	assert.Equal(t, 1.0, up("n2:9000"))
	assert.Equal(t, 0.0, up("http://user:xxxxx@n3:9000"))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		assert.NotContains(t, mf.String(), "s3cr3t")
	}
}

// A failover backend under the wrapper, one endpoint dead: its retries,
// failovers and the dead endpoint are counted with no configuration of
// the failover layer, for the core operations and the capabilities alike.
func TestFailoverAttemptsAreCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	fb, err := observetest.Failover(t.Context())
	require.NoError(t, err)
	b := metrics.New(fb, reg, metrics.WithName("cluster"))
	t.Cleanup(func() { b.Close() })
	for i := range 4 {
		_, err := b.Stat(t.Context(), fmt.Sprintf("k%d", i))
		require.ErrorIs(t, err, backend.ErrNotFound)
	}
	assert.Equal(t, 4.0, value(t, reg, "objstore_operations_total", map[string]string{"backend": "cluster", "op": "stat", "outcome": "not_found"}))
	assert.Equal(t, 1.0, value(t, reg, "objstore_retries_total", map[string]string{"backend": "cluster", "op": "stat", "reason": "unavailable"}))
	assert.Equal(t, 1.0, value(t, reg, "objstore_failovers_total", map[string]string{"backend": "cluster", "op": "stat"}))
	assert.Equal(t, 0.0, value(t, reg, "objstore_endpoint_up", map[string]string{"backend": "cluster", "endpoint": observetest.DeadEndpoint}))

	// The capabilities the endpoints have (mem: BatchRemover, Copier)
	// are found through the wrapper, and their attempts counted under
	// their own op; the dead endpoint being down, a fresh failover is
	// needed to see one.
	fb2, err := observetest.Failover(t.Context())
	require.NoError(t, err)
	b2 := metrics.New(fb2, reg, metrics.WithName("cluster2"))
	t.Cleanup(func() { b2.Close() })
	_, ok := backend.As[backend.Presigner](b2)
	assert.False(t, ok, "mem has no Presigner: neither has failover nor the wrapper")
	br, ok := b2.(backend.BatchRemover)
	require.True(t, ok)
	for range 2 {
		require.NoError(t, br.RemoveMany(t.Context(), []string{"x"}))
	}
	assert.Equal(t, 1.0, value(t, reg, "objstore_failovers_total", map[string]string{"backend": "cluster2", "op": "remove-many"}))
}

// Copy and Compose through the wrapper are counted, as ops "copy" and
// "compose". Their bytes never pass through the client, so no bytes are
// counted for them.
func TestCopyAndCompose(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := t.Context()
	b := metrics.New(observetest.NewFull(), reg, metrics.WithName("b"))
	put(t, b, "a", "hello")
	put(t, b, "b", "world")

	c, ok := b.(backend.Copier)
	require.True(t, ok, "the wrapper itself copies, counted")
	info, err := c.Copy(ctx, "c", "a", backend.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(5), info.Size)
	_, err = c.Copy(ctx, "d", "missing", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrNotFound)

	k, ok := b.(backend.Composer)
	require.True(t, ok, "the wrapper itself composes, counted")
	info, err = k.Compose(ctx, "e", []backend.ObjectInfo{{Key: "a", Size: 5}, {Key: "b", Size: 5}}, backend.PutOptions{Size: -1})
	require.NoError(t, err)
	assert.Equal(t, int64(10), info.Size)

	assert.Equal(t, 1.0, ops(t, reg, "copy", "ok"))
	assert.Equal(t, 1.0, ops(t, reg, "copy", "not_found"))
	assert.Equal(t, 1.0, ops(t, reg, "compose", "ok"))
	assert.Equal(t, 2.0, value(t, reg, "objstore_operation_duration_seconds", map[string]string{"backend": "b", "op": "copy"}))
	assert.Equal(t, 1.0, value(t, reg, "objstore_operation_duration_seconds", map[string]string{"backend": "b", "op": "compose"}))
	assert.Equal(t, 10.0, value(t, reg, "objstore_uploaded_bytes_total", map[string]string{"backend": "b"}), "the two puts' bytes only")

	// mem copies but does not compose: so does its wrapper, and the copy
	// is counted.
	m := metrics.New(mem.New(), reg, metrics.WithName("m"))
	put(t, m, "a", "x")
	mc, ok := m.(backend.Copier)
	require.True(t, ok)
	_, err = mc.Copy(ctx, "b", "a", backend.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, value(t, reg, "objstore_operations_total", map[string]string{"backend": "m", "op": "copy", "outcome": "ok"}))
	_, ok = backend.As[backend.Composer](m)
	assert.False(t, ok, "no Composer where mem has none")
}

// The client's CopyObject finds the wrapper's Copy (backend.As looks at
// the outermost layer first): a server-side copy through the client is
// counted.
func TestClientCopyIsCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := t.Context()
	c := objstore.New(mem.New(), objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
		return metrics.New(b, reg, metrics.WithName("b"))
	}))
	defer c.Close()
	_, err := c.PutObject(ctx, "a", strings.NewReader("hello"), nil)
	require.NoError(t, err)
	info, err := c.CopyObject(ctx, "a", "b", objstore.CopyOptions{})
	require.NoError(t, err)
	assert.True(t, info.ServerSide)
	assert.Equal(t, 1.0, ops(t, reg, "copy", "ok"))
}
