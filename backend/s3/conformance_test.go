package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance"
)

// TestConformance runs the shared suite on both servers, through New (the
// driver inside the failover layer) and through the raw driver, each
// check on a fresh bucket.
func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		t.Run("New", func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) backend.Backend {
				b, _ := srv.open(t)
				return b
			})
		})
		t.Run("NewDriver", func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) backend.Backend {
				d, _ := srv.openRaw(t)
				return d
			})
		})
	})
}
