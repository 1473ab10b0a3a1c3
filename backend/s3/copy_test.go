package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
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

// TestCopyChecksums: on both servers, a CopyObject keeps the source's
// CRC32C (also onto itself, replacing the attributes); a copy made of
// part copies (a create-only copy, or one past the size of a copy part)
// may have none (copy.go says why), but never a wrong one. Either way a
// full read through the client verifies.
func TestCopyChecksums(t *testing.T) {
	defer s3drv.SetCopyPartSize(s3drv.MinPartSize)()
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		s3test.CheckCopyChecksums(t, d, s3drv.MinPartSize+1)
	})
}
