package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// FailoverObserver implements failover.Observer (by its method set; this
// package does not import failover): it adds each retry and failover as an
// event ("objstore.retry", "objstore.failover") to the span in the
// context of the operation being retried. With a tracing wrapper above
// the failover layer (New(failoverBackend, tp), possibly with other
// wrappers between), that is the wrapper's span of the operation; without
// one, the caller's own span, if any. EndpointState adds nothing: an
// endpoint's state is not about one operation (see the metrics and
// logging observers). It is safe for concurrent use.
type FailoverObserver struct{}

// Observer returns a FailoverObserver to give to failover.Config.Observer
// (or minio.Config.Observer).
func Observer() *FailoverObserver { return &FailoverObserver{} }

// Retry adds an "objstore.retry" event to the span of ctx: the endpoint
// and attempt that failed, and why.
func (*FailoverObserver) Retry(ctx context.Context, _, _, endpoint string, attempt int, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.AddEvent("objstore.retry", trace.WithAttributes(
		AttrEndpoint.String(backend.Redact(endpoint)), AttrAttempt.Int(attempt),
		AttrReason.String(observe.Outcome(err)), AttrError.String(errString(err))))
}

// Failover adds an "objstore.failover" event to the span of ctx: from
// which endpoint to which.
func (*FailoverObserver) Failover(ctx context.Context, _, _, from, to string, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.AddEvent("objstore.failover", trace.WithAttributes(
		AttrFrom.String(backend.Redact(from)), AttrTo.String(backend.Redact(to)),
		AttrReason.String(observe.Outcome(err)), AttrError.String(errString(err))))
}

// EndpointState adds nothing to spans (see FailoverObserver).
func (*FailoverObserver) EndpointState(string, bool) {}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
