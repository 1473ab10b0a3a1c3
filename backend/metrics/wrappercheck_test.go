package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend.
// Compose and Copy are not in observe.Caps: backend.As finds them through
// Unwrap, so they are not counted (a gap, declared here).
func TestWrapperCompleteness(t *testing.T) {
	reg := prometheus.NewRegistry()
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return metrics.New(inner, reg)
	},
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
