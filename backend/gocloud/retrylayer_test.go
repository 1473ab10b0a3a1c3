package gocloud_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// faultChain is Azurite behind two fault proxies: the client talks to
// tcp (cuts, hangs), which forwards to http (scripted answers, request
// counts), which forwards to the server.
type faultChain struct {
	tcp  *faultproxy.Proxy
	http *faultproxy.HTTPProxy
}

func newFaultChain(t *testing.T, target string) *faultChain {
	h := faultproxy.StartHTTP(t, target)
	return &faultChain{tcp: faultproxy.Start(t, h.Addr()), http: h}
}

// requestLog records the ranged GETs the HTTP proxy sees, as "RANGE
// IF-MATCH", through a fault that never answers.
type requestLog struct {
	mu     sync.Mutex
	ranged []string
}

func (l *requestLog) fault() faultproxy.Fault {
	return faultproxy.Fault{Method: http.MethodGet, Times: -1, Match: func(r *http.Request) bool {
		if rg := rangeHeader(r); rg != "" {
			l.mu.Lock()
			l.ranged = append(l.ranged, rg+" "+r.Header.Get("If-Match"))
			l.mu.Unlock()
		}
		return false
	}}
}

func (l *requestLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ranged...)
}

// rangeHeader is the range a request asks for (Azure's SDK sends
// x-ms-range), or "".
func rangeHeader(r *http.Request) string {
	if rg := r.Header.Get("x-ms-range"); rg != "" {
		return rg
	}
	return r.Header.Get("Range")
}

// rangeFrom returns the first byte a request's range asks for, or -1.
func rangeFrom(r *http.Request) int64 {
	from, ok := strings.CutPrefix(rangeHeader(r), "bytes=")
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

// TestRetryLayerAzurite: NewAzure's Backend on Azurite behind the fault
// proxies. Busy answers (503, 429) on puts and gets are retried and the
// call succeeds; permanent ones (403, 404) are sent once; MaxAttempts
// bounds the requests the proxy sees; with MaxAttempts 1 a busy answer
// costs exactly one request (the Azure SDK's own retries are off); a
// download cut mid-body is resumed with a ranged read pinned (If-Match)
// to the ETag it started with, and one whose blob was replaced meanwhile
// fails with ErrObjectChanged instead of mixing versions; a hung server
// is given up by AttemptTimeout and a stalled download by StallTimeout,
// and both go on once the server answers again.
func TestRetryLayerAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	host := strings.TrimPrefix(strings.TrimSuffix(az.Endpoint, "/"+az.Account), "http://")
	ch := newFaultChain(t, host)
	ctx := t.Context()
	name := containerName(t)
	direct, err := gocloud.NewAzureDriver(ctx, gocloud.AzureConfig{Container: name, ServiceURL: az.Endpoint,
		AccountName: az.Account, AccountKey: az.Key, CreateContainer: true})
	require.NoError(t, err)
	t.Cleanup(func() { direct.Close() })
	open := func(t *testing.T, r failover.Retry) backend.Backend {
		b, err := gocloud.NewAzure(ctx, gocloud.AzureConfig{Container: name, ServiceURL: "http://" + ch.tcp.Addr() + "/" + az.Account,
			AccountName: az.Account, AccountKey: az.Key, Retry: r})
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
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPut, Status: 503, Code: "ServerBusy"},
			faultproxy.Fault{Method: http.MethodPut, Status: 429})
		require.NoError(t, put(b, "busy", small))
		assert.Equal(t, 2, ch.http.Injected(http.MethodPut))
		assert.Equal(t, 3, ch.http.Requests(http.MethodPut), "two busy answers, then the upload")

		ch.http.ResetCounts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "ServerBusy"},
			faultproxy.Fault{Method: http.MethodGet, Status: 429})
		got, err := get(b, "busy")
		require.NoError(t, err)
		assert.Equal(t, small, got)
		assert.Equal(t, 2, ch.http.Injected(""))
		assert.Equal(t, 0, ch.http.Requests(http.MethodHead), "a get is one request")
		assert.Equal(t, 3, ch.http.Requests(http.MethodGet), "two busy answers, then the bytes")
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
			{http.MethodHead, 403, backend.ErrPermission, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{http.MethodHead, 404, backend.ErrNotFound, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{http.MethodGet, 403, backend.ErrPermission, func() error { _, err := get(b, "perm"); return err }},
			{http.MethodPut, 403, backend.ErrPermission, func() error { return put(b, "perm2", small) }},
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
		ch.http.Inject(faultproxy.Fault{Method: http.MethodHead, Status: 503, Times: -1})
		_, err := b.Stat(ctx, "max")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		var re *failover.RetryError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 3, re.Attempts)
		assert.Equal(t, 3, ch.http.Requests(http.MethodHead))

		ch.http.Clear()
		ch.http.ResetCounts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPut, Status: 503, Times: -1})
		require.ErrorIs(t, put(b, "max", small), backend.ErrServerBusy)
		assert.Equal(t, 3, ch.http.Requests(http.MethodPut))
	})

	t.Run("the SDK makes one attempt", func(t *testing.T) {
		r := testRetry
		r.MaxAttempts = 1
		b := open(t, r)
		reset(t)
		seed(t, "one", small)
		for _, c := range []struct {
			method string
			call   func() error
		}{
			{http.MethodHead, func() error { _, err := b.Stat(ctx, "one"); return err }},
			{http.MethodGet, func() error { _, err := b.List(ctx, backend.ListOptions{}); return err }},
			{http.MethodGet, func() error { _, err := get(b, "one"); return err }},
			{http.MethodPut, func() error { return put(b, "one", small) }},
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
		ch.http.Inject(faultproxy.Fault{Method: http.MethodPut, Status: 503})
		_, err := b.Put(ctx, "stream", io.MultiReader(bytes.NewReader(small)), backend.PutOptions{Size: -1})
		require.ErrorIs(t, err, failover.ErrNotRewindable)
		assert.Equal(t, 1, ch.http.Requests(http.MethodPut))
		_, err = direct.Stat(ctx, "stream")
		require.ErrorIs(t, err, backend.ErrNotFound, "nothing stored")
	})

	big := payload(4 << 20)
	t.Run("a cut download is resumed on the same ETag", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		seed(t, "cut", big)
		var log requestLog
		ch.http.Inject(log.fault())
		cuts := ch.tcp.Cuts()
		ch.tcp.CutAfter(faultproxy.Downstream, 1<<20)
		got, err := get(b, "cut")
		require.NoError(t, err)
		assert.True(t, bytes.Equal(big, got), "the bytes are exact (%d of %d)", len(got), len(big))
		assert.Equal(t, cuts+1, ch.tcp.Cuts())
		// The first read asks for the whole blob (no range); the resume
		// asks for the rest, and the retry layer compares the ETag of its
		// answer with the first read's (the next test replaces the blob).
		ranged := log.get()
		require.Len(t, ranged, 1, "the resume: %v", ranged)
		rg, _, _ := strings.Cut(ranged[0], " ")
		assert.NotEqual(t, "bytes=0-", rg[:min(len(rg), 8)], "the resume starts where the body broke: %v", ranged)
		assert.True(t, strings.HasSuffix(rg, fmt.Sprintf("-%d", len(big)-1)), "to the end: %v", ranged)
	})

	t.Run("a cut download of a replaced blob fails", func(t *testing.T) {
		b := open(t, testRetry)
		reset(t)
		seed(t, "changed", big)
		other := bytes.Clone(big)
		other[0] ^= 0xff
		var once sync.Once
		cuts := ch.tcp.Cuts()
		ch.http.Inject(faultproxy.Fault{Method: http.MethodGet, Times: -1, Match: func(*http.Request) bool {
			if ch.tcp.Cuts() > cuts {
				// Replaced after the break, before the resume.
				once.Do(func() { seed(t, "changed", other) })
			}
			return false
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

// TestNewAzureRetryConfig: NewAzure checks Config.Retry before it opens
// anything, and the Backend it returns is named after the container.
func TestNewAzureRetryConfig(t *testing.T) {
	cfg := gocloud.AzureConfig{Container: "box", ServiceURL: "http://127.0.0.1:1/acct", AccountName: "acct", AccountKey: "c2VjcmV0"}
	bad := cfg
	bad.Retry = failover.Retry{MaxAttempts: -1}
	_, err := gocloud.NewAzure(context.Background(), bad)
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "MaxAttempts")
	b, err := gocloud.NewAzure(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, "azblob://box", b.(interface{ String() string }).String())
	_, isDriver := b.(*gocloud.Backend)
	assert.False(t, isDriver, "NewAzure returns the retry layer")
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
}
