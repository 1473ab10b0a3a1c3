package clienttest_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance/clienttest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The suite runs green on the reference driver; the root package runs it
// on fs too, and each driver package on its own backend.
func TestRunMem(t *testing.T) {
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}
