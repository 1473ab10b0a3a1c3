package tracing

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/objstore-dev/objstore/backend"
)

// FailoverObserver implements failover.Observer (by its method set; this
// package does not import failover): it adds each retry and failover as an
// event ("objstore.retry", "objstore.failover") to the spans of the
// operations in flight in the wrappers linked to it with WithObserver.
//
// The failover.Observer methods carry no context, so the observer cannot
// read the current span from one; it matches the events to spans by
// operation and key instead. Concurrent operations on the same key with
// the same operation all receive the event. EndpointState adds nothing: an
// endpoint's state is not about one operation (see the metrics and
// logging observers).
type FailoverObserver struct {
	mu    sync.Mutex
	spans map[opKey]map[*entry]struct{}
}

type opKey struct{ op, key string }

// entry gives each tracked span an identity (trace.Span values need not be
// comparable).
type entry struct{ span trace.Span }

// Observer returns a FailoverObserver to give to failover.Config.Observer
// (or minio.Config.Observer) and to New with WithObserver.
func Observer() *FailoverObserver {
	return &FailoverObserver{spans: map[opKey]map[*entry]struct{}{}}
}

// track registers span as the span of op on key until the returned
// function is called.
func (o *FailoverObserver) track(op, key string, span trace.Span) func() {
	k, e := opKey{op, key}, &entry{span}
	o.mu.Lock()
	set := o.spans[k]
	if set == nil {
		set = map[*entry]struct{}{}
		o.spans[k] = set
	}
	set[e] = struct{}{}
	o.mu.Unlock()
	return func() {
		o.mu.Lock()
		delete(set, e)
		if len(set) == 0 {
			delete(o.spans, k)
		}
		o.mu.Unlock()
	}
}

// event adds an event to every tracked span of op on key.
func (o *FailoverObserver) event(op, key, name string, attrs ...attribute.KeyValue) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for e := range o.spans[opKey{op, key}] {
		e.span.AddEvent(name, trace.WithAttributes(attrs...))
	}
}

// Retry adds an "objstore.retry" event: the endpoint and attempt that
// failed, and why.
func (o *FailoverObserver) Retry(op, key, endpoint string, attempt int, err error) {
	o.event(op, key, "objstore.retry",
		AttrEndpoint.String(backend.Redact(endpoint)), AttrAttempt.Int(attempt),
		AttrReason.String(outcome(err)), AttrError.String(errString(err)))
}

// Failover adds an "objstore.failover" event: from which endpoint to which.
func (o *FailoverObserver) Failover(op, key, from, to string, err error) {
	o.event(op, key, "objstore.failover",
		AttrFrom.String(backend.Redact(from)), AttrTo.String(backend.Redact(to)),
		AttrReason.String(outcome(err)), AttrError.String(errString(err)))
}

// EndpointState adds nothing to spans (see FailoverObserver).
func (o *FailoverObserver) EndpointState(string, bool) {}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
