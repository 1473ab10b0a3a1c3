package mem_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance/retrytest"
)

// TestRetriesUnderFaults runs the retry layer over planned faults over
// mem: retried puts store the source's bytes, broken reads resume whole,
// listings list every key once, and every planned fault fires.
func TestRetriesUnderFaults(t *testing.T) {
	retrytest.Run(t, func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { b.Close() })
		return b
	})
}
