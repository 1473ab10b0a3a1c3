package s3_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestRangeAnswers: the range answers of s3core (a 416 on an object that
// grew, malformed or unexpected Content-Range) reach the driver's errors.
func TestRangeAnswers(t *testing.T) {
	srv := servers[0].start(t) // minio
	proxy := faultproxy.StartHTTP(t, strings.TrimPrefix(srv.url, "http://"))
	cfg := srv.config(srv.newBucket(t))
	cfg.Endpoint = "http://" + proxy.Addr()
	d, err := s3drv.NewDriver(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	s3test.RangeAnswers(t, d, proxy)
}
