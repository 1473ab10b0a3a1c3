package minio_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/ratelimit"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetryAfter: a real MinIO behind a proxy that answers some requests
// with 503 SlowDown or 429 and a Retry-After header. The driver's error
// carries the delay (backend.RetryAfter, the RetryAfter field), the
// retry layer waits at least that long, and the rate limiter pauses for
// it.
func TestRetryAfter(t *testing.T) {
	srv := testserver.StartMinIO(t)
	proxy := faultproxy.StartHTTP(t, srv.Endpoint)
	cfg := baseConfig(t, srv)
	d, err := minio.NewEndpoint(t.Context(), cfg, proxy.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	ctx := t.Context()
	_, err = d.Put(ctx, "k", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)

	t.Run("the driver's error carries it", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			fault faultproxy.Fault
			call  func() error
			op    string
			want  time.Duration
		}{
			{"stat, 503 SlowDown, seconds", faultproxy.Fault{Method: http.MethodHead, Status: 503, Code: "SlowDown",
				Header: http.Header{"Retry-After": {"2"}}},
				func() error { _, err := d.Stat(ctx, "k"); return err }, "stat", 2 * time.Second},
			{"get, 429, an HTTP date", faultproxy.Fault{Method: http.MethodGet, Status: 429,
				Header: http.Header{"Retry-After": {time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)}}},
				func() error { _, _, err := d.Get(ctx, "k", backend.WholeObject); return err }, "get", time.Minute},
			{"put, 503", faultproxy.Fault{Method: http.MethodPut, Status: 503,
				Header: http.Header{"Retry-After": {"5"}}},
				func() error {
					_, err := d.Put(ctx, "k2", strings.NewReader("x"), backend.PutOptions{Size: 1})
					return err
				}, "put", 5 * time.Second},
			{"list (the driver's own request), 503", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown",
				Header: http.Header{"Retry-After": {"3"}}},
				func() error { _, err := d.List(ctx, backend.ListOptions{Prefix: "k"}); return err }, "list", 3 * time.Second},
		} {
			t.Run(c.name, func(t *testing.T) {
				proxy.Inject(c.fault)
				err := c.call()
				require.ErrorIs(t, err, backend.ErrServerBusy)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, c.op, be.Op)
				ra, ok := backend.RetryAfter(err)
				require.True(t, ok, "%v", err)
				assert.InDelta(t, c.want.Seconds(), ra.Seconds(), 2)
				assert.InDelta(t, c.want.Seconds(), be.RetryAfter.Seconds(), 2)
				var er miniogo.ErrorResponse
				require.ErrorAs(t, err, &er, "minio-go's error stays reachable")
				assert.Equal(t, c.fault.Status, er.StatusCode)
				assert.Contains(t, err.Error(), "retry after")
				assert.NotContains(t, err.Error(), srv.SecretKey)
				t.Log(err)
			})
		}
		assert.Equal(t, 4, proxy.Injected(""))
		proxy.ResetCounts()
	})

	t.Run("without Retry-After, nothing changes", func(t *testing.T) {
		proxy.Inject(faultproxy.Fault{Method: http.MethodHead, Status: 503, Code: "SlowDown"})
		_, err := d.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		_, ok := backend.RetryAfter(err)
		assert.False(t, ok)
		var er miniogo.ErrorResponse
		require.ErrorAs(t, err, &er)
		// A 403 with a Retry-After (a proxy that sets it anyway) is not busy.
		proxy.Inject(faultproxy.Fault{Method: http.MethodHead, Status: 403, Code: "AccessDenied", Header: http.Header{"Retry-After": {"9"}}})
		_, err = d.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrPermission)
		_, ok = backend.RetryAfter(err)
		assert.False(t, ok)
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
		st := lim.Stats()
		assert.Equal(t, int64(1), st.Pauses)
		assert.Equal(t, int64(1), st.RetryAfter)
		assert.Equal(t, time.Second, st.PausedBy)
	})

	// On the same server (one start for both).
	t.Run("rate-limit URL parameters", func(t *testing.T) { openWithRateLimitParameters(t, srv) })
}

// openWithRateLimitParameters: objstore.Open takes the rate-limit
// parameters off a minio:// URL, which the driver (strict about its
// parameters) then opens, and limits the client.
func openWithRateLimitParameters(t *testing.T, srv *testserver.MinIO) {
	cfg := baseConfig(t, srv)
	u := (&url.URL{Scheme: "minio", User: url.UserPassword(srv.AccessKey, srv.SecretKey), Host: srv.Endpoint, Path: "/" + cfg.Bucket,
		RawQuery: "create_bucket=true&requests_per_sec=500&read_bytes_per_sec=64MiB&write_bytes_per_sec=32MiB"}).String()
	c, err := objstore.Open(t.Context(), u)
	require.NoError(t, err)
	defer c.Close()
	lim, ok := ratelimit.LimiterOf(c.Backend())
	require.True(t, ok)
	assert.Equal(t, ratelimit.Limits{Requests: 500, ReadBytes: 64 << 20, WriteBytes: 32 << 20}, lim.Limits())
	data := payload(7, 256<<10)
	_, err = c.PutObject(t.Context(), "a", bytes.NewReader(data), nil)
	require.NoError(t, err)
	rc, err := c.GetObject(t.Context(), "a")
	require.NoError(t, err)
	assert.Equal(t, data, readAll(t, rc))

	_, err = objstore.Open(t.Context(), strings.Replace(u, "read_bytes_per_sec=64MiB", "read_bytes_per_sec=fast", 1))
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "read_bytes_per_sec")
	assert.NotContains(t, err.Error(), srv.SecretKey)
}
