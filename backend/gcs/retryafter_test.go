package gcs_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetryAfter runs retrytest.CheckRetryAfter on the raw driver of
// fake-gcs-server behind an HTTP fault proxy, with one attempt per request
// (the storage library's own retries off): googleapi.Error stays
// reachable. The client dials the proxy with the server's own URLs and
// Host (dialingClient), which fake-gcs-server needs to serve downloads.
func TestRetryAfter(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	proxy := faultproxy.StartHTTP(t, srv.Endpoint)
	b, err := gcs.NewDriver(t.Context(), gcs.Config{
		Bucket: bucketName(t), CreateBucket: true, ProjectID: "objstore-test",
		Endpoint: srv.URL + "/storage/v1/", Anonymous: true,
		ClientOptions: []option.ClientOption{option.WithHTTPClient(dialingClient(t, proxy.Addr()))},
	})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	retrytest.CheckRetryAfter(t, retrytest.RetryAfter{
		Backend:    b,
		Proxy:      proxy,
		StatMethod: http.MethodGet,
		PutMethod:  http.MethodPost,
		Native: func(t *testing.T, err error, status int, _ string) {
			var gerr *googleapi.Error
			require.ErrorAs(t, err, &gerr, "the library's error stays reachable")
			assert.Equal(t, status, gerr.Code)
		},
	})
}
