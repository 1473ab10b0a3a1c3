package minio_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/ratelimit"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetryAfter runs retrytest.CheckRetryAfter on the raw driver of a real
// MinIO behind an HTTP fault proxy, and checks the rate-limit parameters
// of a minio:// URL on the same server.
func TestRetryAfter(t *testing.T) {
	srv := testserver.StartMinIO(t)
	proxy := faultproxy.StartHTTP(t, srv.Endpoint)
	d, err := minio.NewEndpoint(t.Context(), baseConfig(t, srv), proxy.Addr())
	require.NoError(t, err)
	retrytest.CheckRetryAfter(t, retrytest.RetryAfter{
		Backend: d,
		Proxy:   proxy,
		Secret:  srv.SecretKey,
		Native: func(t *testing.T, err error, status int, code string) {
			var er miniogo.ErrorResponse
			require.ErrorAs(t, err, &er, "minio-go's error stays reachable")
			assert.Equal(t, status, er.StatusCode)
			if code != "" {
				assert.Equal(t, code, er.Code)
			}
		},
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
