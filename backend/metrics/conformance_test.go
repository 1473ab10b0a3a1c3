package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper keeps the Backend contract: the suite runs over mem through
// it, every check on the same registry (which proves that re-registration
// is harmless too).
func TestConformance(t *testing.T) {
	reg := prometheus.NewRegistry()
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b := metrics.New(mem.New(), reg, metrics.WithName(t.Name()))
		t.Cleanup(func() { require.NoError(t, b.Close()) })
		return b
	})
}
