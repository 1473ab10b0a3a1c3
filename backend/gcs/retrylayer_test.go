package gcs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// faultChain is fake-gcs-server behind two fault proxies: the client talks
// to tcp (cuts, hangs), which forwards to http (scripted answers, request
// counts), which forwards to the server.
type faultChain struct {
	tcp  *faultproxy.Proxy
	http *faultproxy.HTTPProxy
}

func newFaultChain(t *testing.T, target string) *faultChain {
	h := faultproxy.StartHTTP(t, target)
	return &faultChain{tcp: faultproxy.Start(t, h.Addr()), http: h}
}

// client returns an HTTP client that sends every request through the
// chain, with the URLs and Host of the server itself: fake-gcs-server
// reads a Host other than its own as a virtual-hosted bucket name.
func (c *faultChain) client(t *testing.T) *http.Client {
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, c.tcp.Addr())
		},
		DisableCompression: true, // the stored bytes, as the driver's own transport
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// requestLog records the requests the HTTP proxy sees, as "METHOD
// RANGE", through a fault that never answers.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) fault() faultproxy.Fault {
	return faultproxy.Fault{Times: -1, Match: func(r *http.Request) bool {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.Header.Get("Range"))
		l.mu.Unlock()
		return false
	}}
}

func (l *requestLog) ranged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if strings.HasPrefix(r, "GET bytes=") {
			out = append(out, strings.TrimPrefix(r, "GET "))
		}
	}
	return out
}

// rangeFrom returns the first byte a request's Range asks for, or -1.
func rangeFrom(r *http.Request) int64 {
	from, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	if !ok {
		return -1
	}
	from, _, _ = strings.Cut(from, "-")
	n, err := strconv.ParseInt(from, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// testRetry has test-sized timings.
var testRetry = failover.Retry{
	MaxAttempts: 5, AttemptTimeout: 5 * time.Second, StallTimeout: 5 * time.Second,
	BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
}

// TestRetryLayer: New's Backend on fake-gcs-server behind the fault
// proxies. Busy answers (503, 429) on puts and gets are retried and the
// call succeeds; permanent ones (403, 404) are sent once; MaxAttempts
// bounds the requests the proxy sees; with MaxAttempts 1 a busy answer
// costs exactly one request (the storage library's own retries are off,
// uploads included); a download cut mid-body is resumed with a ranged
// read of the same version, and one whose object was replaced meanwhile
// fails with ErrObjectChanged instead of mixing versions; a hung server is
// given up by AttemptTimeout and a stalled download by StallTimeout, and
// both go on once the server answers again.
func TestRetryLayer(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	ch := newFaultChain(t, srv.Endpoint)
	ctx := t.Context()
	bucket := bucketName(t)
	direct, err := gcs.NewDriver(ctx, gcs.Config{Bucket: bucket, CreateBucket: true, ProjectID: "objstore-test",
		Endpoint: srv.URL + "/storage/v1/", Anonymous: true})
	require.NoError(t, err)
	t.Cleanup(func() { direct.Close() })
	open := func(t *testing.T, r failover.Retry) backend.Backend {
		b, err := gcs.New(ctx, gcs.Config{Bucket: bucket, Endpoint: srv.URL + "/storage/v1/", Anonymous: true, Retry: r,
			ClientOptions: []option.ClientOption{option.WithHTTPClient(ch.client(t))}})
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		return b
	}
	reset := func(t *testing.T) {
		t.Cleanup(func() {
			ch.http.Clear()
			require.NoError(t, ch.tcp.Pass())
		})
		ch.http.Clear()
		ch.http.ResetCounts()
	}
	small := payload(64 << 10)
	put := func(b backend.Backend, key string, data []byte) error {
		_, err := b.Put(ctx, key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		return err
	}
	get := func(b backend.Backend, key string) ([]byte, error) {
		rc, _, err := b.Get(ctx, key, backend.WholeObject)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	seed := func(t *testing.T, key string, data []byte) {
		_, err := direct.Put(ctx, key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
	}

	t.Run("busy answers are retried", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPost, Status: 503, Code: "ServiceUnavailable"},
			faultproxy.Fault{Method: http.MethodPost, Status: 429, Code: "TooManyRequests"})
		require.NoError(t, put(b, "busy", small))
		assert.Equal(t, 2, ch.http.Injected(http.MethodPost))
		assert.Equal(t, 3, ch.http.Requests(http.MethodPost), "two busy answers, then the upload")

		ch.http.ResetCounts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Times: 2})
		got, err := get(b, "busy")
		require.NoError(t, err)
		assert.Equal(t, small, got)
		assert.Equal(t, 2, ch.http.Injected(http.MethodGet))
		assert.Equal(t, 4, ch.http.Requests(http.MethodGet), "two busy answers, then the attributes and the bytes")

		ch.http.ResetCounts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 429})
		_, err = b.Stat(ctx, "busy")
		require.NoError(t, err)
		assert.Equal(t, 2, ch.http.Requests(http.MethodGet))
	})

	t.Run("permanent answers are not retried", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		seed(t, "perm", small)
		for _, c := range []struct {
			method string
			status int
			kind   error
			call   func() error
		}{
			{http.MethodGet, 403, backend.ErrPermission, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{http.MethodGet, 404, backend.ErrNotFound, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{http.MethodGet, 403, backend.ErrPermission, func() error { _, err := get(b, "perm"); return err }},
			{http.MethodPost, 403, backend.ErrPermission, func() error { return put(b, "perm2", small) }},
		} {
			ch.http.ResetCounts()
			ch.http.Inject(faultproxy.Fault{Method: c.method, Status: c.status})
			err := c.call()
			require.ErrorIs(t, err, c.kind, "%s %d", c.method, c.status)
			var re *failover.RetryError
			assert.False(t, errors.As(err, &re), "not retried: %v", err)
			assert.Equal(t, 1, ch.http.Requests(c.method), "%s %d: one request", c.method, c.status)
		}
	})

	t.Run("MaxAttempts bounds the requests", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts = 3
		b := open(t, r)
		reset(t)
		seed(t, "max", small)
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Times: -1})
		_, err := b.Stat(ctx, "max")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		var re *failover.RetryError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 3, re.Attempts)
		assert.Equal(t, 3, ch.http.Requests(http.MethodGet))

		ch.http.Clear()
		ch.http.ResetCounts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPost, Status: 503, Times: -1})
		require.ErrorIs(t, put(b, "max", small), backend.ErrServerBusy)
		assert.Equal(t, 3, ch.http.Requests(http.MethodPost))
	})

	t.Run("the library makes one attempt", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts = 1
		b := open(t, r)
		reset(t)
		seed(t, "one", small)
		for _, c := range []struct {
			method string
			call   func() error
		}{
			{http.MethodGet, func() error { _, err := b.Stat(ctx, "one"); return err }},
			{http.MethodGet, func() error { _, err := b.List(ctx, backend.ListOptions{}); return err }},
			{http.MethodPost, func() error { return put(b, "one", small) }},
			{http.MethodPost, func() error {
				_, err := b.Put(ctx, "one", bytes.NewReader(small), backend.PutOptions{Size: -1})
				return err
			}},
		} {
			ch.http.ResetCounts()
			ch.http.Inject(faultproxy.Fault{Method: c.method, Status: 503})
			require.ErrorIs(t, c.call(), backend.ErrServerBusy, c.method)
			assert.Equal(t, 1, ch.http.Requests(c.method), "%s: exactly one request", c.method)
		}
	})

	t.Run("a put of unknown size is not sent again once read", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPost, Status: 503})
		_, err := b.Put(ctx, "stream", io.MultiReader(bytes.NewReader(small)), backend.PutOptions{Size: -1})
		require.ErrorIs(t, err, failover.ErrNotRewindable)
		assert.Equal(t, 1, ch.http.Requests(http.MethodPost))
		_, err = direct.Stat(ctx, "stream")
		require.ErrorIs(t, err, backend.ErrNotFound, "nothing stored")
	})

	big := payload(4 << 20)
	t.Run("a cut download is resumed on the same version", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		seed(t, "cut", big)
		var log requestLog
		// The storage library asks for the rest of a broken body once by
		// itself; that request fails, so the retry layer resumes.
		ch.http.Inject(log.fault(), faultproxy.Fault{Method: http.MethodGet, Status: 503,
			Match: func(r *http.Request) bool { return rangeFrom(r) > 0 }})
		cuts := ch.tcp.Cuts()
		ch.tcp.CutAfter(faultproxy.Downstream, 1<<20)
		got, err := get(b, "cut")
		require.NoError(t, err)
		assert.True(t, bytes.Equal(big, got), "the bytes are exact (%d of %d)", len(got), len(big))
		assert.Equal(t, cuts+1, ch.tcp.Cuts())
		assert.Equal(t, 1, ch.http.Injected(http.MethodGet), "the library's own re-request")
		ranged := log.ranged()
		require.Len(t, ranged, 2, "the library's re-request and the resume: %v", ranged)
		from := func(r string) string { f, _, _ := strings.Cut(r, "-"); return f }
		assert.Equal(t, from(ranged[0]), from(ranged[1]), "the resume starts where the body broke: %v", ranged)
		assert.NotEqual(t, "bytes=0", from(ranged[0]))
	})

	t.Run("a cut download of a replaced object fails", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		seed(t, "changed", big)
		other := bytes.Clone(big)
		other[0] ^= 0xff
		var once sync.Once
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503,
			Match: func(r *http.Request) bool {
				if rangeFrom(r) <= 0 {
					return false
				}
				// Replaced after the break, before the resume.
				once.Do(func() { seed(t, "changed", other) })
				return true
			}})
		ch.tcp.CutAfter(faultproxy.Downstream, 1<<20)
		got, err := get(b, "changed")
		require.ErrorIs(t, err, failover.ErrObjectChanged)
		assert.True(t, bytes.HasPrefix(big, got), "what was read is the first version's")
	})

	t.Run("a hung server is given up by AttemptTimeout", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts, r.AttemptTimeout = 20, 300*time.Millisecond
		b := open(t, r)
		reset(t)
		seed(t, "hang", small)
		accepted := ch.tcp.Accepted()
		ch.tcp.Hang()
		pass := time.AfterFunc(time.Second, func() { ch.tcp.Pass() })
		defer pass.Stop()
		start := time.Now()
		_, err := b.Stat(ctx, "hang")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "served once the server answers again")
		assert.GreaterOrEqual(t, ch.tcp.Accepted()-accepted, 2, "the hung attempt was given up and another made")

		// With one attempt, the hang is an ErrUnavailable after AttemptTimeout.
		r.MaxAttempts = 1
		b1 := open(t, r)
		ch.tcp.Hang()
		start = time.Now()
		_, err = b1.Stat(ctx, "hang")
		require.ErrorIs(t, err, backend.ErrUnavailable)
		assert.Contains(t, err.Error(), "AttemptTimeout")
		assert.Less(t, time.Since(start), 5*time.Second)
		require.NoError(t, ch.tcp.Pass())
	})

	t.Run("a stalled download is resumed after StallTimeout", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts, r.AttemptTimeout, r.StallTimeout = 20, 300*time.Millisecond, 300*time.Millisecond
		b := open(t, r)
		reset(t)
		huge := payload(32 << 20) // more than the socket buffers hold
		seed(t, "stall", huge)
		rc, _, err := b.Get(ctx, "stall", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		first := make([]byte, 1)
		_, err = io.ReadFull(rc, first)
		require.NoError(t, err)
		accepted := ch.tcp.Accepted()
		ch.tcp.Hang()
		pass := time.AfterFunc(1500*time.Millisecond, func() { ch.tcp.Pass() })
		defer pass.Stop()
		rest, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(huge, append(first, rest...)), "the bytes are exact")
		assert.Greater(t, ch.tcp.Accepted(), accepted, "the stalled body was given up and resumed")
	})

	t.Run("a refused connection is retried", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts, r.BaseDelay, r.MaxDelay = 20, 20*time.Millisecond, 100*time.Millisecond
		b := open(t, r)
		reset(t)
		seed(t, "refused", small)
		ch.tcp.Refuse()
		pass := time.AfterFunc(300*time.Millisecond, func() { ch.tcp.Pass() })
		defer pass.Stop()
		got, err := get(b, "refused")
		require.NoError(t, err)
		assert.Equal(t, small, got)
	})
}

// TestNewRetryConfig: New checks Config.Retry before it opens anything,
// and the Backend it returns is named after the bucket.
func TestNewRetryConfig(t *testing.T) {
	_, err := gcs.New(context.Background(), gcs.Config{Bucket: "b", Retry: failover.Retry{StallTimeout: -time.Second}})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "StallTimeout")
	b, err := gcs.New(context.Background(), gcs.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1/storage/v1/", Anonymous: true})
	require.NoError(t, err)
	assert.Equal(t, "gs://b", b.(interface{ String() string }).String())
	_, isDriver := b.(*gcs.Backend)
	assert.False(t, isDriver, "New returns the retry layer")
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
}
