package gcs_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetriesUnderFaults runs the retry layer over planned faults over
// the backend on fake-gcs-server, each check on a fresh bucket, with the
// storage library's own retries off (one attempt per request): retried
// puts store the source's bytes, broken reads resume whole against the
// same generation, listings list every key once, and every planned fault
// fires.
func TestRetriesUnderFaults(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	retrytest.Run(t, func(t *testing.T) backend.Backend {
		return openFresh(t, srv, gcs.Config{})
	})
}
