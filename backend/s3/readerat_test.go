package s3_test

import (
	"net/http"
	"testing"

	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestReaderAtPuts: on both servers, a put of known size from a reader
// that can be read at offsets sends its parts in parallel, unbuffered,
// through the raw driver and through New (failover and metrics above it).
func TestReaderAtPuts(t *testing.T) {
	const size, conc = 3*s3drv.MinPartSize + 1, 3 // four parts, the last of one byte
	forEachServer(t, func(t *testing.T, srv *server) {
		tr := &http.Transport{DisableCompression: true}
		t.Cleanup(tr.CloseIdleConnections)
		parts := &s3test.PartCounter{Base: tr}
		tweak := func(c *s3drv.Config) {
			c.PartSize, c.Concurrency, c.HTTPClient = s3drv.MinPartSize, conc, &http.Client{Transport: parts}
		}
		t.Run("driver", func(t *testing.T) {
			d, _ := srv.openRaw(t, tweak)
			s3test.CheckReaderAtPuts(t, d, parts, size, s3drv.MinPartSize, conc)
		})
		t.Run("New", func(t *testing.T) {
			b, _ := srv.open(t, tweak)
			s3test.CheckReaderAtPuts(t, b, parts, size, s3drv.MinPartSize, conc)
		})
	})
}
