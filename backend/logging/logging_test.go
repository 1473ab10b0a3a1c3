package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

// lockedWriter serialises writes from concurrent operations.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// capture is a JSON logger at level into a buffer.
type capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newCapture(level slog.Level) (*capture, *slog.Logger) {
	c := &capture{}
	return c, slog.New(slog.NewJSONHandler(c, &slog.HandlerOptions{Level: level}))
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *capture) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// records parses the captured records and empties the buffer.
func (c *capture) records(t *testing.T) []map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(c.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		out = append(out, m)
	}
	c.buf.Reset()
	return out
}

// one returns the single record captured since the last call.
func (c *capture) one(t *testing.T) map[string]any {
	t.Helper()
	recs := c.records(t)
	require.Len(t, recs, 1)
	return recs[0]
}

func TestLevels(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	b := logging.New(mem.New(), logger, logging.WithName("store"))
	ctx := t.Context()

	_, err := b.Put(ctx, "a", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	r := c.one(t)
	assert.Equal(t, "DEBUG", r["level"])
	assert.Equal(t, "objstore: operation", r["msg"])
	assert.Equal(t, "put", r["op"])
	assert.Equal(t, "a", r["key"])
	assert.Equal(t, "store", r["backend"])
	assert.Equal(t, "ok", r["outcome"])
	assert.Equal(t, 5.0, r["size"])
	assert.NotContains(t, r, "error")

	_, err = b.Stat(ctx, "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	r = c.one(t)
	assert.Equal(t, "DEBUG", r["level"])
	assert.Equal(t, "not_found", r["outcome"])

	_, err = b.Put(ctx, "a", strings.NewReader("x"), backend.PutOptions{Size: 1, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	r = c.one(t)
	assert.Equal(t, "WARN", r["level"])
	assert.Equal(t, "objstore: operation failed", r["msg"])
	assert.Equal(t, "exist", r["outcome"])
	assert.Contains(t, r["error"], "already exists")

	_, _, err = b.Get(ctx, "/bad", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.Equal(t, "WARN", c.one(t)["level"])

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = b.Put(cancelled, "c", strings.NewReader("abc"), backend.PutOptions{Size: 3})
	require.Error(t, err)
	r = c.one(t)
	assert.Equal(t, "INFO", r["level"])
	assert.Equal(t, "canceled", r["outcome"])

	require.NoError(t, b.Close())
	require.ErrorIs(t, b.Remove(ctx, "a"), backend.ErrClosed)
	r = c.one(t)
	assert.Equal(t, "ERROR", r["level"])
	assert.Equal(t, "error", r["outcome"])
}

func TestQuietAtInfo(t *testing.T) {
	c, logger := newCapture(slog.LevelInfo)
	b := logging.New(mem.New(), logger)
	_, err := b.Put(t.Context(), "a", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	_, err = b.Stat(t.Context(), "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Empty(t, c.text())
}

// slowStat is a backend over mem whose Stat takes a while.
type slowStat struct{ *mem.Backend }

func (s slowStat) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	time.Sleep(30 * time.Millisecond)
	return s.Backend.Stat(ctx, key)
}

// TestSlow runs on synctest's clock: the slow Stat takes exactly 30ms and
// the put no time at all, whatever the machine's load.
func TestSlow(t *testing.T) {
	synctest.Test(t, testSlow)
}

func testSlow(t *testing.T) {
	c, logger := newCapture(slog.LevelWarn)
	b := logging.New(slowStat{mem.New()}, logger, logging.WithSlowThreshold(10*time.Millisecond))
	_, err := b.Put(t.Context(), "a", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.Empty(t, c.text(), "a fast put is not slow")
	_, err = b.Stat(t.Context(), "a")
	require.NoError(t, err)
	r := c.one(t)
	assert.Equal(t, "WARN", r["level"])
	assert.Equal(t, "objstore: slow operation", r["msg"])
	assert.Equal(t, "stat", r["op"])
	assert.Equal(t, float64(30*time.Millisecond), r["duration"])

	off := logging.New(slowStat{mem.New()}, logger, logging.WithSlowThreshold(0))
	_, err = off.Stat(t.Context(), "a")
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Empty(t, c.text())
}

func TestBrokenGetBody(t *testing.T) {
	c, logger := newCapture(slog.LevelInfo)
	fault := backend.NewError("get", "k", backend.ErrUnavailable, io.ErrUnexpectedEOF)
	b := logging.New(observetest.Breaking{Backend: mem.New(), Err: fault}, logger)
	_, err := b.Put(t.Context(), "k", strings.NewReader("abcdef"), backend.PutOptions{Size: 6})
	require.NoError(t, err)
	rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
	require.NoError(t, err)
	_, err = io.ReadAll(rc)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	_, _ = rc.Read(make([]byte, 1))
	require.NoError(t, rc.Close())
	r := c.one(t)
	assert.Equal(t, "ERROR", r["level"])
	assert.Equal(t, "read", r["op"])
	assert.Equal(t, "unavailable", r["outcome"])
	assert.Equal(t, 2.0, r["bytes_read"])
}

const secret = "s3cr3tpass"

// leaky is a backend over mem whose name and errors carry credentials, as
// a careless driver's might.
type leaky struct{ *observetest.Full }

func (leaky) String() string {
	return "minio://AKIAEXAMPLE:" + secret + "@127.0.0.1:9000/bucket"
}

func (leaky) Stat(_ context.Context, key string) (backend.ObjectInfo, error) {
	cause := errors.New(`Head "http://AKIAEXAMPLE:` + secret + `@127.0.0.1:9000/bucket/` + key +
		`?X-Amz-Signature=` + secret + `": dial tcp: connection refused (via AKIAEXAMPLE:` + secret + `@10.0.0.1)`)
	return backend.ObjectInfo{}, backend.NewError("stat", key, backend.ErrUnavailable, cause)
}

func TestNoSecrets(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	b := logging.New(leaky{observetest.NewFull()}, logger)
	_, err := b.Stat(t.Context(), "captures/one.pcap")
	require.ErrorIs(t, err, backend.ErrUnavailable)
	require.Contains(t, err.Error(), secret, "the test plants a secret in the error")
	u, err := b.(backend.Presigner).Presign(t.Context(), http.MethodGet, "captures/one.pcap", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	require.Contains(t, u, observetest.PresignSecret)
	// Attempt events of a retry layer below, whose endpoints and errors
	// carry credentials.
	r := logging.New(observetest.Reporting{Backend: mem.New(), Events: []backend.AttemptEvent{
		{Kind: backend.AttemptRetry, Op: "stat", Key: "captures/one.pcap", Endpoint: "http://AKIAEXAMPLE:" + secret + "@127.0.0.1:9000", Attempt: 1, Err: err},
		{Kind: backend.AttemptFailover, Op: "stat", Key: "captures/one.pcap", Endpoint: "AKIAEXAMPLE:" + secret + "@127.0.0.1:9000", To: "127.0.0.1:9001", Attempt: 1, Err: err},
		{Kind: backend.AttemptEndpointDown, Op: "stat", Key: "captures/one.pcap", Endpoint: "https://AKIAEXAMPLE:" + secret + "@127.0.0.1:9000", Err: err},
	}}, logger, logging.WithName("http://u:"+secret+"@h"))
	_, err = r.Stat(t.Context(), "captures/one.pcap")
	require.ErrorIs(t, err, backend.ErrNotFound)

	out := c.text()
	assert.NotContains(t, out, "s3cr3t", "neither the planted secret nor the presigned signature")
	assert.Contains(t, out, "captures/one.pcap", "keys are logged")
	assert.Contains(t, out, "127.0.0.1:9000", "endpoints are logged")
	assert.Contains(t, out, "connection refused", "the error is logged")
	recs := c.records(t)
	require.Len(t, recs, 6, "stat, presign, retry, failover, endpoint down, stat")
	assert.Equal(t, "minio://AKIAEXAMPLE:xxxxx@127.0.0.1:9000/bucket", recs[0]["backend"])
}

func TestCapabilities(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	ctx := t.Context()
	b := logging.New(mem.New(), logger)
	br, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok)
	_, ok = b.(backend.HealthChecker)
	assert.False(t, ok)
	require.NoError(t, br.RemoveMany(ctx, []string{"x", "y"}))
	r := c.one(t)
	assert.Equal(t, "remove-many", r["op"])
	assert.Equal(t, 2.0, r["count"])

	bare := logging.New(struct{ backend.Backend }{mem.New()}, logger)
	_, ok = bare.(backend.BatchRemover)
	assert.False(t, ok)

	f := logging.New(observetest.NewFull(), logger)
	_, err := f.(backend.HealthChecker).Health(ctx)
	require.NoError(t, err)
	_, err = f.(backend.Presigner).Presign(ctx, http.MethodPut, "/bad", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	require.NoError(t, f.(backend.Lifecycler).SetExpiry(ctx, "logs/", 3))
	_, err = f.(backend.Lifecycler).Expiry(ctx)
	require.NoError(t, err)
	var ops []string
	for _, r := range c.records(t) {
		ops = append(ops, r["op"].(string)+"/"+r["level"].(string))
	}
	assert.Equal(t, []string{"health/DEBUG", "presign-put/WARN", "set-expiry/DEBUG", "expiry/DEBUG"}, ops)
}

// requestKey is the context key of a request ID that a handler logs.
type requestKey struct{}

// requestHandler adds the request ID of a record's context, as handlers
// that log trace or request IDs do.
type requestHandler struct{ slog.Handler }

func (h requestHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestKey{}).(string); ok {
		r.AddAttrs(slog.String("request", id))
	}
	return h.Handler.Handle(ctx, r)
}

// Through the real failover wrapper with one endpoint down, and nothing
// configured in it: the retry at Debug, the failover at Info and the
// endpoint going down at Warn, the levels of the failover layer's own
// log before, each logged with the context of the operation that saw it.
func TestFailoverEventLevels(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	logger = slog.New(requestHandler{logger.Handler()})
	fb, err := observetest.Failover(t.Context())
	require.NoError(t, err)
	b := logging.New(fb, logger, logging.WithName("cluster"))
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	for _, k := range []string{"k1", "k2"} {
		ctx := context.WithValue(t.Context(), requestKey{}, "req-"+k)
		_, err := b.Put(ctx, k, strings.NewReader("data"), backend.PutOptions{Size: 4})
		require.NoError(t, err)
	}
	byMsg := map[string]map[string]any{}
	for _, r := range c.records(t) {
		byMsg[r["msg"].(string)] = r
	}
	require.Contains(t, byMsg, "objstore: retrying")
	retry := byMsg["objstore: retrying"]
	assert.Equal(t, "DEBUG", retry["level"])
	assert.Equal(t, "put", retry["op"])
	assert.Equal(t, observetest.DeadEndpoint, retry["endpoint"])
	assert.Equal(t, "unavailable", retry["reason"])
	assert.Equal(t, 1.0, retry["attempt"])
	assert.Equal(t, "req-"+retry["key"].(string), retry["request"], "logged with the put's context")
	require.Contains(t, byMsg, "objstore: failing over")
	over := byMsg["objstore: failing over"]
	assert.Equal(t, "INFO", over["level"])
	assert.Equal(t, observetest.LiveEndpoint, over["to"])
	assert.Equal(t, retry["request"], over["request"])
	require.Contains(t, byMsg, "objstore: endpoint down")
	down := byMsg["objstore: endpoint down"]
	assert.Equal(t, "WARN", down["level"])
	assert.Equal(t, "cluster", down["backend"])
	assert.Equal(t, observetest.DeadEndpoint, down["endpoint"])
	assert.Equal(t, retry["request"], down["request"], "logged with the context of the put that saw it")
	assert.Equal(t, "DEBUG", byMsg["objstore: operation"]["level"], "the retried put succeeded")

	// At Info, the retry is not logged, the rest is.
	c, logger = newCapture(slog.LevelInfo)
	fb2, err := observetest.Failover(t.Context())
	require.NoError(t, err)
	b2 := logging.New(fb2, logger)
	t.Cleanup(func() { require.NoError(t, b2.Close()) })
	for _, k := range []string{"k1", "k2"} {
		_, err := b2.Put(t.Context(), k, strings.NewReader("data"), backend.PutOptions{Size: 4})
		require.NoError(t, err)
	}
	var msgs []string
	for _, r := range c.records(t) {
		msgs = append(msgs, r["level"].(string)+" "+r["msg"].(string))
	}
	assert.Equal(t, []string{"WARN objstore: endpoint down", "INFO objstore: failing over"}, msgs)
}

// Endpoints coming back and the resolver's answers are logged too.
func TestEndpointEvents(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	b := logging.New(observetest.Reporting{Backend: mem.New(), Events: []backend.AttemptEvent{
		{Kind: backend.AttemptEndpointUp, Op: "stat", Key: "k", Endpoint: "n1:9000"},
		{Kind: backend.AttemptResolve, Op: "stat", Key: "k", Endpoint: "n1:9000,n2:9000"},
		{Kind: backend.AttemptResolve, Op: "stat", Key: "k", Err: errors.New("lookup cluster.local: no such host")},
	}}, logger, logging.WithName("cluster"))
	_, err := b.Stat(t.Context(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
	recs := c.records(t)
	require.Len(t, recs, 4)
	assert.Equal(t, "INFO", recs[0]["level"])
	assert.Equal(t, "objstore: endpoint up", recs[0]["msg"])
	assert.Equal(t, "n1:9000", recs[0]["endpoint"])
	assert.Equal(t, "objstore: endpoints changed", recs[1]["msg"])
	assert.Equal(t, "n1:9000,n2:9000", recs[1]["endpoints"])
	assert.Equal(t, "WARN", recs[2]["level"])
	assert.Equal(t, "objstore: resolving the endpoints failed; keeping them", recs[2]["msg"])
	assert.Contains(t, recs[2]["error"], "no such host")
	assert.Equal(t, "objstore: operation", recs[3]["msg"])
}

// Copy and Compose through the wrapper are logged, as ops "copy" and
// "compose", with the destination as key.
func TestCopyAndCompose(t *testing.T) {
	c, logger := newCapture(slog.LevelDebug)
	ctx := t.Context()
	b := logging.New(observetest.NewFull(), logger)
	_, err := b.Put(ctx, "a", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	c.records(t)

	cp, ok := b.(backend.Copier)
	require.True(t, ok, "the wrapper itself copies, logged")
	_, err = cp.Copy(ctx, "c", "a", backend.CopyOptions{})
	require.NoError(t, err)
	r := c.one(t)
	assert.Equal(t, "copy", r["op"])
	assert.Equal(t, "c", r["key"])
	assert.Equal(t, "a", r["src"])
	assert.Equal(t, 5.0, r["size"])
	assert.Equal(t, "ok", r["outcome"])
	assert.Equal(t, "DEBUG", r["level"])

	_, err = cp.Copy(ctx, "d", "missing", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrNotFound)
	r = c.one(t)
	assert.Equal(t, "copy", r["op"])
	assert.Equal(t, "missing", r["src"])
	assert.Equal(t, "not_found", r["outcome"])

	_, err = cp.Copy(ctx, "/bad", "a", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	r = c.one(t)
	assert.Equal(t, "invalid", r["outcome"])
	assert.Equal(t, "WARN", r["level"])

	k, ok := b.(backend.Composer)
	require.True(t, ok, "the wrapper itself composes, logged")
	_, err = k.Compose(ctx, "e", []backend.ObjectInfo{{Key: "a", Size: 5}, {Key: "c", Size: 5}}, backend.PutOptions{Size: -1})
	require.NoError(t, err)
	r = c.one(t)
	assert.Equal(t, "compose", r["op"])
	assert.Equal(t, "e", r["key"])
	assert.Equal(t, 2.0, r["count"])
	assert.Equal(t, 10.0, r["size"])
}
