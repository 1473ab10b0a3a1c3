package minio_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRangeAnswers: the range answers of s3core (a 416 on an object that
// grew, malformed or unexpected Content-Range) reach the driver's errors.
func TestRangeAnswers(t *testing.T) {
	srv := testserver.StartMinIO(t)
	proxy := faultproxy.StartHTTP(t, srv.Endpoint)
	d, err := minio.NewEndpoint(t.Context(), baseConfig(t, srv), proxy.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	s3test.RangeAnswers(t, d, proxy)
}
