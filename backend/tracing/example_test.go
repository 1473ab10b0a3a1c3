package tracing_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/tracing"
)

// Turn tracing on for a client with WithMiddleware. Here the spans go to
// an in-memory exporter; in production, to the provider of your OTLP
// exporter (or nil for the global one).
func Example() {
	ctx := context.Background()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(ctx)

	client := objstore.New(mem.New(), objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
		return tracing.New(b, tp)
	}))
	defer client.Close()

	if _, err := client.PutObject(ctx, "cap/one.pcap", strings.NewReader("0123456789"), nil); err != nil {
		panic(err)
	}
	rc, err := client.GetObject(ctx, "cap/one.pcap")
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, rc)
	_ = rc.Close() // ends the get span

	for _, s := range exp.GetSpans() {
		fmt.Print(s.Name)
		for _, kv := range s.Attributes {
			if kv.Key == tracing.AttrOutcome || kv.Key == tracing.AttrBytesRead {
				fmt.Printf(" %s=%s", kv.Key, kv.Value.Emit())
			}
		}
		fmt.Println()
	}
	// Output:
	// objstore.put objstore.outcome=ok
	// objstore.get objstore.outcome=ok objstore.bytes_read=10
}
