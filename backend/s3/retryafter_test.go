package s3_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// TestRetryAfter: MinIO behind a proxy that answers some requests with a
// busy status and a Retry-After header; the raw driver's error carries
// the delay (backend.RetryAfter and the RetryAfter field), and the SDK's
// error stays reachable.
func TestRetryAfter(t *testing.T) {
	srv := servers[0].start(t) // minio
	proxy := faultproxy.StartHTTP(t, strings.TrimPrefix(srv.url, "http://"))
	bucket := srv.newBucket(t)
	cfg := srv.config(bucket)
	cfg.Endpoint = "http://" + proxy.Addr()
	d, err := s3drv.NewDriver(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	ctx := t.Context()
	_, err = d.Put(ctx, "k", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)

	for _, c := range []struct {
		name   string
		fault  faultproxy.Fault
		call   func() error
		op     string
		want   time.Duration
		status bool // a Retry-After is expected
	}{
		{"get, 503 SlowDown", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown", Header: http.Header{"Retry-After": {"4"}}},
			func() error { _, _, err := d.Get(ctx, "k", backend.WholeObject); return err }, "get", 4 * time.Second, true},
		{"stat, 429", faultproxy.Fault{Method: http.MethodHead, Status: 429, Header: http.Header{"Retry-After": {"2"}}},
			func() error { _, err := d.Stat(ctx, "k"); return err }, "stat", 2 * time.Second, true},
		{"list, 503", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "SlowDown", Header: http.Header{"Retry-After": {"1"}}},
			func() error { _, err := d.List(ctx, backend.ListOptions{Prefix: "k"}); return err }, "list", time.Second, true},
		{"remove, 503 without Retry-After", faultproxy.Fault{Method: http.MethodDelete, Status: 503, Code: "SlowDown"},
			func() error { return d.Remove(ctx, "k") }, "remove", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy.Inject(c.fault)
			err := c.call()
			require.ErrorIs(t, err, backend.ErrServerBusy)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, c.op, be.Op)
			d, ok := backend.RetryAfter(err)
			assert.Equal(t, c.status, ok, "%v", err)
			assert.Equal(t, c.want, d)
			assert.Equal(t, c.want, be.RetryAfter)
			var api smithy.APIError
			if c.fault.Code != "" {
				require.ErrorAs(t, err, &api, "the SDK's error stays reachable")
				assert.Equal(t, c.fault.Code, api.ErrorCode())
			}
			t.Log(err)
		})
	}
	assert.Equal(t, 4, proxy.Injected(""))
}
