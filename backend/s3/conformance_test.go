package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/conformance"
)

// TestConformance runs the shared suite on both servers, through New (the
// driver inside the failover layer) and through the raw driver, each
// check on a fresh bucket.
//
// On versitygw one check is skipped: "load-mixed" lists keys while they
// are overwritten, and versitygw (its posix backend, linkatOTmpfile in
// backend/posix/with_otmpfile.go) replaces an existing object by linking
// the new file under a temporary name, ".KEY.sgwtmp.NANOS", then renaming
// it, so a listing at that moment shows the temporary name as an object
// (docs/s3.md, server differences).
func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		var opts []conformance.Option
		if srv.name == "versitygw" {
			opts = append(opts, conformance.Skip("load-mixed"))
		}
		t.Run("New", func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) backend.Backend {
				b, _ := srv.open(t)
				return b
			}, opts...)
		})
		t.Run("NewDriver", func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) backend.Backend {
				d, _ := srv.openRaw(t)
				return d
			}, opts...)
		})
		// The smallest parts and two in flight, so that every object over
		// 5 MiB is a multipart upload of the driver's own.
		t.Run("SmallParts", func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) backend.Backend {
				b, _ := srv.open(t, func(c *s3drv.Config) {
					c.PartSize = s3drv.MinPartSize
					c.Concurrency = 2
				})
				return b
			}, conformance.Only("large-unknown-size", "size-mismatch", "put-cancelled", "put-failing-reader",
				"if-not-exist", "if-not-exist-race", "concurrent-same-key", "zero-byte", "range-read",
				"if-match", "if-match-race", "if-match-multipart", "conditional-get"))
		})
	})
}
