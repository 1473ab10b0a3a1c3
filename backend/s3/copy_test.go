package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/conformance"
)

// TestConformanceCopySmallParts runs the copy check, on every test
// server, with copies in parts of 5 MiB (instead of 5 GiB), so that its
// 6 MiB object is copied as a multipart upload of two part copies, as
// objects past 5 GiB are; through New and through the raw driver.
func TestConformanceCopySmallParts(t *testing.T) {
	defer s3drv.SetCopyPartSize(s3drv.MinPartSize)()
	forEachServer(t, func(t *testing.T, srv *server) {
		conformance.Run(t, func(t *testing.T) backend.Backend {
			b, _ := srv.open(t, func(c *s3drv.Config) {
				c.PartSize = s3drv.MinPartSize
				c.Concurrency = 2
			})
			return b
		}, conformance.Only("copy"))
		conformance.Run(t, func(t *testing.T) backend.Backend {
			d, _ := srv.openRaw(t)
			return d
		}, conformance.Only("copy"))
	})
}
