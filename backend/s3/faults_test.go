package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/retrytest"
)

// TestRetriesUnderFaults runs the retry layer over planned faults over
// the raw driver (NewDriver, no retries of its own) on both servers, each
// check on a fresh bucket: retried puts store the source's bytes, broken
// reads resume whole against the same ETag, listings list every key once,
// and every planned fault fires.
func TestRetriesUnderFaults(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		retrytest.Run(t, func(t *testing.T) backend.Backend {
			d, _ := srv.openRaw(t)
			return d
		})
	})
}
