package tracing_test

import (
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/tracing"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend,
// each forwarded and traced (Compose and Copy too).
func TestWrapperCompleteness(t *testing.T) {
	tp := noop.NewTracerProvider()
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return tracing.New(inner, tp)
	})
}
