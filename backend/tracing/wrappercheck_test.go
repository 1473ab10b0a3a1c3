package tracing_test

import (
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/tracing"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper has exactly the optional capabilities of its inner backend.
// Compose and Copy are not in observe.Caps: backend.As finds them through
// Unwrap, so they are not traced (a gap, declared here).
func TestWrapperCompleteness(t *testing.T) {
	tp := noop.NewTracerProvider()
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		return tracing.New(inner, tp)
	},
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
