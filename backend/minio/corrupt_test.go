package minio_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestCorruptedReadFails runs s3test.CheckCorruptedReadFails on the driver
// of one endpoint: minio-go does not check the bytes itself (the driver
// does not ask it to), the client does.
func TestCorruptedReadFails(t *testing.T) {
	srv := testserver.StartMinIO(t)
	cfg := baseConfig(t, srv)
	cfg.PartSize = minio.MinPartSize
	clean, err := minio.NewEndpoint(t.Context(), cfg, srv.Endpoint)
	require.NoError(t, err)
	t.Cleanup(func() { clean.Close() })
	s3test.CheckCorruptedReadFails(t, clean, minio.MinPartSize, func(t *testing.T, rt http.RoundTripper) backend.Backend {
		cfg.Transport, cfg.CreateBucket = rt, false
		d, err := minio.NewEndpoint(t.Context(), cfg, srv.Endpoint)
		require.NoError(t, err)
		return d
	})
}
