package retrytest

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/ratelimit"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// RetryAfter is a raw driver whose requests go through an HTTP fault
// proxy to a real server.
type RetryAfter struct {
	// Backend is the raw driver (no retries of its own, its SDK's off),
	// through Proxy.
	Backend backend.Backend
	Proxy   *faultproxy.HTTPProxy
	// StatMethod and PutMethod are the HTTP methods of the requests of a
	// Stat and of a small Put (a Get, a List and a Remove send GET, GET
	// and DELETE); empty: HEAD and PUT, as S3 and Azure send them.
	StatMethod, PutMethod string
	// Extra are cases of the driver's own, run after the others.
	Extra []RetryAfterCase
	// Secret is the secret key, which no error may hold ("" if none).
	Secret string
	// Native checks that the SDK's own error is reachable from err, an
	// answer with status and, if not "", the error code (of its body: a
	// HEAD answer has none).
	Native func(t *testing.T, err error, status int, code string)
}

// RetryAfterCase is a busy answer to a call: the call's error must be
// ErrServerBusy for Op, with Want as its delay (none if 0).
type RetryAfterCase struct {
	Name  string
	Fault faultproxy.Fault
	Call  func(ctx context.Context, b backend.Backend) error
	Op    string
	Want  time.Duration
	date  bool // Retry-After is an HTTP date: Want within 2 s
}

// CheckRetryAfter: the proxy answers some requests with 503 SlowDown or
// 429 and a Retry-After header (seconds or an HTTP date). The driver's
// error is ErrServerBusy naming the operation, carries the delay
// (backend.RetryAfter and the RetryAfter field) and says so, keeps the
// SDK's error reachable, and holds no secret; without Retry-After, or on
// a 403 that has one anyway, there is no delay. Over the driver, the
// retry layer (failover) waits at least the delay and the rate limiter
// records the pause. The Backend is closed when the test ends.
func CheckRetryAfter(t *testing.T, f RetryAfter) {
	t.Cleanup(func() { f.Backend.Close() })
	f.StatMethod = cmp.Or(f.StatMethod, http.MethodHead)
	f.PutMethod = cmp.Or(f.PutMethod, http.MethodPut)
	d, proxy := f.Backend, f.Proxy
	ctx := t.Context()
	_, err := d.Put(ctx, "k", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	stat := func(ctx context.Context, d backend.Backend) error { _, err := d.Stat(ctx, "k"); return err }
	get := func(ctx context.Context, d backend.Backend) error {
		_, _, err := d.Get(ctx, "k", backend.WholeObject)
		return err
	}
	list := func(ctx context.Context, d backend.Backend) error {
		_, err := d.List(ctx, backend.ListOptions{Prefix: "k"})
		return err
	}
	remove := func(ctx context.Context, d backend.Backend) error { return d.Remove(ctx, "k") }
	put := func(ctx context.Context, d backend.Backend) error {
		_, err := d.Put(ctx, "k2", strings.NewReader("x"), backend.PutOptions{Size: 1})
		return err
	}

	t.Run("the driver's error carries it", func(t *testing.T) {
		proxy.ResetCounts()
		cases := append([]RetryAfterCase{
			{"stat, 503 SlowDown, seconds", faultproxy.Fault{Method: f.StatMethod, Status: 503, Code: "SlowDown",
				Header: http.Header{"Retry-After": {"2"}}}, stat, "stat", 2 * time.Second, false},
			{"stat, 429", faultproxy.Fault{Method: f.StatMethod, Status: 429,
				Header: http.Header{"Retry-After": {"3"}}}, stat, "stat", 3 * time.Second, false},
			{"get, 503 SlowDown", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown",
				Header: http.Header{"Retry-After": {"4"}}}, get, "get", 4 * time.Second, false},
			{"get, 429, an HTTP date", faultproxy.Fault{Method: http.MethodGet, Status: 429,
				Header: http.Header{"Retry-After": {time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)}}},
				get, "get", time.Minute, true},
			{"put, 503", faultproxy.Fault{Method: f.PutMethod, Status: 503,
				Header: http.Header{"Retry-After": {"5"}}}, put, "put", 5 * time.Second, false},
			{"list, 503", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown",
				Header: http.Header{"Retry-After": {"3"}}}, list, "list", 3 * time.Second, false},
			{"remove, 503", faultproxy.Fault{Method: http.MethodDelete, Status: 503,
				Header: http.Header{"Retry-After": {"1"}}}, remove, "remove", time.Second, false},
			{"remove, 503 without Retry-After", faultproxy.Fault{Method: http.MethodDelete, Status: 503, Code: "SlowDown"},
				remove, "remove", 0, false},
		}, f.Extra...)
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				proxy.Inject(c.Fault)
				err := c.Call(ctx, d)
				require.ErrorIs(t, err, backend.ErrServerBusy)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, c.Op, be.Op)
				ra, ok := backend.RetryAfter(err)
				assert.Equal(t, c.Want != 0, ok, "%v", err)
				if c.date {
					assert.InDelta(t, c.Want.Seconds(), ra.Seconds(), 2)
					assert.InDelta(t, c.Want.Seconds(), be.RetryAfter.Seconds(), 2)
				} else {
					assert.Equal(t, c.Want, ra)
					assert.Equal(t, c.Want, be.RetryAfter)
				}
				if c.Want != 0 {
					assert.Contains(t, err.Error(), "retry after")
				}
				f.Native(t, err, c.Fault.Status, codeOf(c.Fault))
				if f.Secret != "" {
					assert.NotContains(t, err.Error(), f.Secret)
				}
				t.Log(err)
			})
		}
		assert.Equal(t, len(cases), proxy.Injected(""), "every fault was answered")
		proxy.ResetCounts()
	})

	t.Run("without Retry-After, nothing changes", func(t *testing.T) {
		proxy.Inject(faultproxy.Fault{Method: f.StatMethod, Status: 503, Code: "SlowDown"})
		err := stat(ctx, d)
		require.ErrorIs(t, err, backend.ErrServerBusy)
		_, ok := backend.RetryAfter(err)
		assert.False(t, ok)
		f.Native(t, err, 503, "")
		// A 403 with a Retry-After (a proxy that sets it anyway) is not busy.
		proxy.Inject(faultproxy.Fault{Method: f.StatMethod, Status: 403, Code: "AccessDenied", Header: http.Header{"Retry-After": {"9"}}})
		err = stat(ctx, d)
		require.ErrorIs(t, err, backend.ErrPermission)
		assert.NotErrorIs(t, err, backend.ErrServerBusy)
		_, ok = backend.RetryAfter(err)
		assert.False(t, ok)
		assert.Equal(t, 2, proxy.Injected(""), "every fault was answered")
		proxy.ResetCounts()
	})

	// failover over ratelimit over the driver: the retry waits at least
	// the Retry-After (the backoff alone is milliseconds), the limiter
	// records the pause, and the data comes back whole.
	t.Run("failover and ratelimit wait for it", func(t *testing.T) {
		b, lim := ratelimit.New(d, ratelimit.Options{})
		fb, err := failover.New(ctx, failover.Config{
			Resolve:   func(context.Context) ([]string, error) { return []string{proxy.Addr()}, nil },
			Open:      func(context.Context, string) (backend.Backend, error) { return b, nil },
			BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
			ReprobeMin: time.Hour, ReprobeMax: time.Hour,
		})
		require.NoError(t, err)
		defer fb.Close()
		proxy.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown", Header: http.Header{"Retry-After": {"1"}}})
		start := time.Now()
		rc, _, err := fb.Get(ctx, "k", backend.WholeObject)
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		elapsed := time.Since(start)
		assert.Equal(t, "hello", string(data))
		assert.GreaterOrEqual(t, elapsed, time.Second, "the retry waited for the Retry-After")
		assert.Less(t, elapsed, 10*time.Second)
		assert.Equal(t, 1, proxy.Injected(http.MethodGet))
		st := lim.Stats()
		assert.Equal(t, int64(1), st.Pauses)
		assert.Equal(t, int64(1), st.RetryAfter)
		assert.Equal(t, time.Second, st.PausedBy)
	})
}

// codeOf is the error code the SDK can read from the answer to f: none
// for a HEAD, whose answer has no body.
func codeOf(f faultproxy.Fault) string {
	if f.Method == http.MethodHead {
		return ""
	}
	return f.Code
}
