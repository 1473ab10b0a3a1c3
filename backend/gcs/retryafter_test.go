package gcs_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetryAfter: fake-gcs-server behind a proxy that answers some
// requests with 429 or 503 and a Retry-After header. With one attempt per
// request (the storage library's own retries off), the backend's error
// carries the delay, and googleapi.Error stays reachable.
func TestRetryAfter(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	proxy := faultproxy.StartHTTP(t, srv.Endpoint)
	b, err := gcs.NewDriver(t.Context(), gcs.Config{
		Bucket: bucketName(t), CreateBucket: true, ProjectID: "objstore-test",
		Endpoint: "http://" + proxy.Addr() + "/storage/v1/", Anonymous: true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	ctx := t.Context()
	_, err = b.Put(ctx, "k", strings.NewReader("hello"), backend.PutOptions{Size: 5})
	require.NoError(t, err)

	for _, c := range []struct {
		name  string
		fault faultproxy.Fault
		call  func() error
		op    string
		want  time.Duration
	}{
		{"stat, 429", faultproxy.Fault{Method: http.MethodGet, Status: 429, Header: http.Header{"Retry-After": {"3"}}},
			func() error { _, err := b.Stat(ctx, "k"); return err }, "stat", 3 * time.Second},
		{"list, 503", faultproxy.Fault{Method: http.MethodGet, Status: 503, Header: http.Header{"Retry-After": {"2"}}},
			func() error { _, err := b.List(ctx, backend.ListOptions{Prefix: "k"}); return err }, "list", 2 * time.Second},
		{"remove, 503", faultproxy.Fault{Method: http.MethodDelete, Status: 503, Header: http.Header{"Retry-After": {"1"}}},
			func() error { return b.Remove(ctx, "k") }, "remove", time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy.Inject(c.fault)
			err := c.call()
			require.ErrorIs(t, err, backend.ErrServerBusy)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, c.op, be.Op)
			d, ok := backend.RetryAfter(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, c.want, d)
			assert.Equal(t, c.want, be.RetryAfter)
			var gerr *googleapi.Error
			require.ErrorAs(t, err, &gerr, "the library's error stays reachable")
			assert.Equal(t, c.fault.Status, gerr.Code)
			t.Log(err)
		})
	}
	assert.Equal(t, 3, proxy.Injected(""))

	// Without the header there is no delay; a 404 is not busy.
	proxy.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503})
	_, err = b.Stat(ctx, "k")
	require.ErrorIs(t, err, backend.ErrServerBusy)
	_, ok := backend.RetryAfter(err)
	assert.False(t, ok)
}
