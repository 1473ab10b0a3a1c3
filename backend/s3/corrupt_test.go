package s3_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestCorruptedReadFails runs s3test.CheckCorruptedReadFails on New (the
// failover layer), on MinIO and versitygw: the SDK does not check the
// bytes itself (the driver does not ask it to), the client does.
func TestCorruptedReadFails(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		clean, bucket := srv.openRaw(t, func(c *s3drv.Config) { c.PartSize = s3drv.MinPartSize })
		s3test.CheckCorruptedReadFails(t, clean, s3drv.MinPartSize, func(t *testing.T, rt http.RoundTripper) backend.Backend {
			cfg := srv.config(bucket)
			cfg.HTTPClient = &http.Client{Transport: rt}
			b, err := s3drv.New(t.Context(), cfg)
			require.NoError(t, err)
			return b
		})
	})
}
