package retrytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
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
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// Chain is a server behind two fault proxies: the client talks to TCP
// (cuts, hangs, refusals), which forwards to HTTP (scripted answers,
// request counts), which forwards to the server.
type Chain struct {
	TCP  *faultproxy.Proxy
	HTTP *faultproxy.HTTPProxy
}

// StartChain starts the two proxies in front of target (host:port); they
// stop on cleanup.
func StartChain(t testing.TB, target string) *Chain {
	h := faultproxy.StartHTTP(t, target)
	return &Chain{TCP: faultproxy.Start(t, h.Addr()), HTTP: h}
}

// Reset clears the scripted answers and the counts for the subtest t, and
// again at its end, when it also lets the TCP proxy pass again.
func (c *Chain) Reset(t *testing.T) {
	t.Cleanup(func() {
		c.HTTP.Clear()
		require.NoError(t, c.TCP.Pass())
	})
	c.HTTP.Clear()
	c.HTTP.ResetCounts()
}

// LayerRetry has test-sized timings for a driver's retry layer.
var LayerRetry = failover.Retry{
	MaxAttempts: 5, AttemptTimeout: 5 * time.Second, StallTimeout: 5 * time.Second,
	BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
}

// Layer is a driver's retry layer (what its New returns) on a real
// server behind a Chain.
type Layer struct {
	Chain *Chain
	// Open returns the retry layer with r on the bucket, its requests
	// through Chain, closed on cleanup.
	Open func(t *testing.T, r failover.Retry) backend.Backend
	// Direct is the raw driver on the same bucket, not through Chain.
	Direct backend.Backend
	// StatMethod and PutMethod are the HTTP methods of the requests that
	// a Stat and a Put of one request send (a Get sends GETs).
	StatMethod, PutMethod string
	// CutResume arranges, before a download is cut mid-body, what the
	// driver needs to be resumed and to see how; the function it returns
	// checks, after the whole download, how it was resumed.
	CutResume func(t *testing.T) (check func(t *testing.T))
	// OnResume arranges that replace runs after a download breaks and
	// before the retry layer asks for the rest.
	OnResume func(t *testing.T, replace func())
}

// CheckLayer runs, as subtests, the faults every retry layer over a
// network driver must survive: with MaxAttempts 1 a busy answer costs
// exactly one request (the SDK's own retries are off, uploads of unknown
// size included); permanent answers (403, 404) are sent
// once; MaxAttempts bounds the requests the proxy sees; a put of unknown
// size is not sent again once read; a download cut mid-body is resumed
// and its bytes are exact, and one whose object was replaced meanwhile
// fails with ErrObjectChanged instead of mixing versions; a hung server
// is given up by AttemptTimeout and a stalled download by StallTimeout,
// and both go on once the server answers again; a refused connection is
// retried.
func CheckLayer(t *testing.T, l Layer) {
	ch := l.Chain
	ctx := t.Context()
	small := payload(t, 64<<10)
	put := func(b backend.Backend, key string, data []byte) error { return Put(ctx, b, key, data) }
	get := func(b backend.Backend, key string) ([]byte, error) { return GetAll(ctx, b, key) }
	seed := func(t *testing.T, key string, data []byte) {
		require.NoError(t, put(l.Direct, key, data))
	}

	t.Run("the SDK makes one attempt", func(t *testing.T) {
		r := LayerRetry
		r.MaxAttempts = 1
		b := l.Open(t, r)
		ch.Reset(t)
		seed(t, "one", small)
		for _, c := range []struct {
			name, method string
			call         func() error
		}{
			{"stat", l.StatMethod, func() error { _, err := b.Stat(ctx, "one"); return err }},
			{"list", http.MethodGet, func() error { _, err := b.List(ctx, backend.ListOptions{}); return err }},
			{"get", http.MethodGet, func() error { _, err := get(b, "one"); return err }},
			{"put", l.PutMethod, func() error { return put(b, "one", small) }},
			{"put of unknown size", l.PutMethod, func() error {
				_, err := b.Put(ctx, "one", bytes.NewReader(small), backend.PutOptions{Size: -1})
				return err
			}},
		} {
			ch.HTTP.ResetCounts()
			ch.HTTP.Inject(faultproxy.Fault{Method: c.method, Status: 503})
			require.ErrorIs(t, c.call(), backend.ErrServerBusy, c.name)
			assert.Equal(t, 1, ch.HTTP.Requests(c.method), "%s: exactly one request", c.name)
		}
	})

	t.Run("permanent answers are not retried", func(t *testing.T) {
		b := l.Open(t, LayerRetry)
		ch.Reset(t)
		seed(t, "perm", small)
		for _, c := range []struct {
			method string
			status int
			kind   error
			call   func() error
		}{
			{l.StatMethod, 403, backend.ErrPermission, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{l.StatMethod, 404, backend.ErrNotFound, func() error { _, err := b.Stat(ctx, "perm"); return err }},
			{http.MethodGet, 403, backend.ErrPermission, func() error { _, err := get(b, "perm"); return err }},
			{l.PutMethod, 403, backend.ErrPermission, func() error { return put(b, "perm2", small) }},
		} {
			ch.HTTP.ResetCounts()
			ch.HTTP.Inject(faultproxy.Fault{Method: c.method, Status: c.status})
			err := c.call()
			require.ErrorIs(t, err, c.kind, "%s %d", c.method, c.status)
			var re *failover.RetryError
			assert.False(t, errors.As(err, &re), "not retried: %v", err)
			assert.Equal(t, 1, ch.HTTP.Requests(c.method), "%s %d: one request", c.method, c.status)
			assert.Equal(t, 1, ch.HTTP.Injected(c.method), "%s %d: the fault was answered", c.method, c.status)
		}
	})

	t.Run("MaxAttempts bounds the requests", func(t *testing.T) {
		r := LayerRetry
		r.MaxAttempts = 3
		b := l.Open(t, r)
		ch.Reset(t)
		seed(t, "max", small)
		ch.HTTP.Inject(faultproxy.Fault{Method: l.StatMethod, Status: 503, Times: -1})
		_, err := b.Stat(ctx, "max")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		var re *failover.RetryError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 3, re.Attempts)
		assert.Equal(t, 3, ch.HTTP.Requests(l.StatMethod))

		ch.HTTP.Clear()
		ch.HTTP.ResetCounts()
		ch.HTTP.Inject(faultproxy.Fault{Method: l.PutMethod, Status: 503, Times: -1})
		require.ErrorIs(t, put(b, "max", small), backend.ErrServerBusy)
		assert.Equal(t, 3, ch.HTTP.Requests(l.PutMethod))
	})

	t.Run("a put of unknown size is not sent again once read", func(t *testing.T) {
		b := l.Open(t, LayerRetry)
		ch.Reset(t)
		ch.HTTP.Inject(faultproxy.Fault{Method: l.PutMethod, Status: 503})
		_, err := b.Put(ctx, "stream", io.MultiReader(bytes.NewReader(small)), backend.PutOptions{Size: -1})
		require.ErrorIs(t, err, failover.ErrNotRewindable)
		assert.Equal(t, 1, ch.HTTP.Requests(l.PutMethod))
		_, err = l.Direct.Stat(ctx, "stream")
		require.ErrorIs(t, err, backend.ErrNotFound, "nothing stored")
	})

	big := payload(t, 4<<20)
	t.Run("a cut download is resumed", func(t *testing.T) {
		b := l.Open(t, LayerRetry)
		ch.Reset(t)
		seed(t, "cut", big)
		check := l.CutResume(t)
		cuts := ch.TCP.Cuts()
		ch.TCP.CutAfter(faultproxy.Downstream, 1<<20)
		got, err := get(b, "cut")
		require.NoError(t, err)
		assert.True(t, bytes.Equal(big, got), "the bytes are exact (%d of %d)", len(got), len(big))
		assert.Equal(t, cuts+1, ch.TCP.Cuts())
		check(t)
	})

	t.Run("a cut download of a replaced object fails", func(t *testing.T) {
		b := l.Open(t, LayerRetry)
		ch.Reset(t)
		seed(t, "changed", big)
		other := bytes.Clone(big)
		other[0] ^= 0xff
		var once sync.Once
		replaced := false
		l.OnResume(t, func() {
			once.Do(func() { seed(t, "changed", other); replaced = true })
		})
		ch.TCP.CutAfter(faultproxy.Downstream, 1<<20)
		got, err := get(b, "changed")
		require.ErrorIs(t, err, failover.ErrObjectChanged)
		assert.True(t, bytes.HasPrefix(big, got), "what was read is the first version's")
		once.Do(func() {})
		assert.True(t, replaced, "replaced after the break")
	})

	t.Run("a hung server is given up by AttemptTimeout", func(t *testing.T) {
		r := LayerRetry
		r.MaxAttempts, r.AttemptTimeout = 20, 300*time.Millisecond
		b := l.Open(t, r)
		ch.Reset(t)
		seed(t, "hang", small)
		accepted := ch.TCP.Accepted()
		ch.TCP.Hang()
		pass := time.AfterFunc(time.Second, func() { ch.TCP.Pass() })
		defer pass.Stop()
		start := time.Now()
		_, err := b.Stat(ctx, "hang")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "served once the server answers again")
		assert.GreaterOrEqual(t, ch.TCP.Accepted()-accepted, 2, "the hung attempt was given up and another made")

		// With one attempt, the hang is an ErrUnavailable after AttemptTimeout.
		r.MaxAttempts = 1
		b1 := l.Open(t, r)
		ch.TCP.Hang()
		start = time.Now()
		_, err = b1.Stat(ctx, "hang")
		require.ErrorIs(t, err, backend.ErrUnavailable)
		assert.Contains(t, err.Error(), "AttemptTimeout")
		assert.Less(t, time.Since(start), 5*time.Second)
		require.NoError(t, ch.TCP.Pass())
	})

	t.Run("a stalled download is resumed after StallTimeout", func(t *testing.T) {
		r := LayerRetry
		r.MaxAttempts, r.AttemptTimeout, r.StallTimeout = 20, 300*time.Millisecond, 300*time.Millisecond
		b := l.Open(t, r)
		ch.Reset(t)
		huge := payload(t, 32<<20) // more than the socket buffers hold
		seed(t, "stall", huge)
		rc, _, err := b.Get(ctx, "stall", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		first := make([]byte, 1)
		_, err = io.ReadFull(rc, first)
		require.NoError(t, err)
		accepted := ch.TCP.Accepted()
		ch.TCP.Hang()
		pass := time.AfterFunc(1500*time.Millisecond, func() { ch.TCP.Pass() })
		defer pass.Stop()
		rest, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(huge, append(first, rest...)), "the bytes are exact")
		assert.Greater(t, ch.TCP.Accepted(), accepted, "the stalled body was given up and resumed")
	})

	t.Run("a refused connection is retried", func(t *testing.T) {
		r := LayerRetry
		r.MaxAttempts, r.BaseDelay, r.MaxDelay = 20, 20*time.Millisecond, 100*time.Millisecond
		b := l.Open(t, r)
		ch.Reset(t)
		seed(t, "refused", small)
		ch.TCP.Refuse()
		pass := time.AfterFunc(300*time.Millisecond, func() { ch.TCP.Pass() })
		defer pass.Stop()
		got, err := get(b, "refused")
		require.NoError(t, err)
		assert.Equal(t, small, got)
	})
}

// RangeHeader is the range a request asks for (Azure's SDK sends
// x-ms-range, the others Range), or "".
func RangeHeader(r *http.Request) string {
	if rg := r.Header.Get("x-ms-range"); rg != "" {
		return rg
	}
	return r.Header.Get("Range")
}

// RangeFrom returns the first byte a request's range asks for, or -1.
func RangeFrom(r *http.Request) int64 {
	from, ok := strings.CutPrefix(RangeHeader(r), "bytes=")
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

// payload returns n random bytes.
// Put stores data under key with b, its size known.
func Put(ctx context.Context, b backend.Backend, key string, data []byte) error {
	_, err := b.Put(ctx, key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	return err
}

// GetAll reads the whole object at key with b.
func GetAll(ctx context.Context, b backend.Backend, key string) ([]byte, error) {
	rc, _, err := b.Get(ctx, key, backend.WholeObject)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func payload(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}
