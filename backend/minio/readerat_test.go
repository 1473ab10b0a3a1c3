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

// TestReaderAtPuts: a put of known size from a reader that can be read at
// offsets sends its parts in parallel, unbuffered, through the raw driver
// and through New (failover and metrics above it).
func TestReaderAtPuts(t *testing.T) {
	srv := testserver.StartMinIO(t)
	const size, conc = 3*minio.MinPartSize + 1, 3 // four parts, the last of one byte
	parts := &s3test.PartCounter{Base: &http.Transport{DisableCompression: true}}
	t.Cleanup(parts.Base.(*http.Transport).CloseIdleConnections)
	tweak := func(c *minio.Config) {
		c.PartSize, c.Concurrency, c.Transport = minio.MinPartSize, conc, parts
	}
	t.Run("driver", func(t *testing.T) {
		s3test.CheckReaderAtPuts(t, openDriver(t, srv, tweak), parts, size, minio.MinPartSize, conc)
	})
	t.Run("New", func(t *testing.T) {
		cfg := baseConfig(t, srv)
		tweak(&cfg)
		b, err := minio.New(t.Context(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		var _ backend.Backend = b
		s3test.CheckReaderAtPuts(t, b, parts, size, minio.MinPartSize, conc)
	})
}
