package fs_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/retrytest"
)

// TestRetriesUnderFaults runs the retry layer over planned faults over
// the fs driver, each check on a fresh directory: retried puts store the
// source's bytes (a put cut mid-body leaves no file), broken reads resume
// whole, listings list every key once, and every planned fault fires.
func TestRetriesUnderFaults(t *testing.T) {
	retrytest.Run(t, func(t *testing.T) backend.Backend { return newStore(t) })
}
