package s3_test

import (
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// TestRetryAfter runs retrytest.CheckRetryAfter on the raw driver of MinIO
// behind an HTTP fault proxy.
func TestRetryAfter(t *testing.T) {
	srv := servers[0].start(t) // minio
	proxy := faultproxy.StartHTTP(t, strings.TrimPrefix(srv.url, "http://"))
	cfg := srv.config(srv.newBucket(t))
	cfg.Endpoint = "http://" + proxy.Addr()
	d, err := s3drv.NewDriver(t.Context(), cfg)
	require.NoError(t, err)
	retrytest.CheckRetryAfter(t, retrytest.RetryAfter{
		Backend: d,
		Proxy:   proxy,
		Secret:  srv.secretKey,
		Native: func(t *testing.T, err error, status int, code string) {
			var re *awshttp.ResponseError
			require.ErrorAs(t, err, &re, "the SDK's error stays reachable")
			assert.Equal(t, status, re.HTTPStatusCode())
			if code != "" {
				var api smithy.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, code, api.ErrorCode())
			}
		},
	})
}
