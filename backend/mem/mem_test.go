package mem_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { b.Close() })
		return b
	})
}
