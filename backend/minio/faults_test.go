package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRetriesUnderFaults runs the retry layer over planned faults over
// the raw driver of one endpoint of a real MinIO, each check on a fresh
// bucket: retried puts store the source's bytes, broken reads resume
// whole against the same ETag, listings list every key once, and every
// planned fault fires.
func TestRetriesUnderFaults(t *testing.T) {
	srv := testserver.StartMinIO(t)
	retrytest.Run(t, func(t *testing.T) backend.Backend { return openDriver(t, srv, nil) })
}
