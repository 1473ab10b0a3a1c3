package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/clienttest"
)

// TestClient runs the client suite (the spec's API, stream objects
// included) on New, on both servers, each check on a fresh bucket.
func TestClient(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		clienttest.Run(t, func(t *testing.T) backend.Backend {
			b, _ := srv.open(t)
			return b
		})
	})
}
