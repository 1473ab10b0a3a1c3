package tracing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/tracing"
	"github.com/objstore-dev/objstore/conformance"
)

// The wrapper keeps the Backend contract over mem, with a real SDK
// provider recording every span.
func TestConformance(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b := tracing.New(mem.New(), tp)
		t.Cleanup(func() { require.NoError(t, b.Close()) })
		return b
	})
	require.NotEmpty(t, exp.GetSpans())
}
