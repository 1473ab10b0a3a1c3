package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend,
// each forwarded and counted (Compose and Copy too).
func TestWrapperCompleteness(t *testing.T) {
	reg := prometheus.NewRegistry()
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return metrics.New(inner, reg)
	})
}
