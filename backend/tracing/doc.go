// Package tracing is a Backend wrapper that makes an OpenTelemetry span of
// every operation, and a failover.Observer that adds retries and failovers
// to those spans as events.
//
//	inner, _ := minio.New(ctx, minio.Config{..., Observer: tracing.Observer()}) // optional: failover events
//	b := tracing.New(inner, tp)
//
// # Spans
//
// Span names are "objstore." + op: objstore.put, objstore.get,
// objstore.stat, objstore.list, objstore.remove, objstore.remove-many,
// objstore.copy, objstore.compose,
// objstore.health, objstore.presign-get, objstore.presign-head,
// objstore.presign-put, objstore.presign-delete, objstore.set-expiry, objstore.expiry. Spans are of kind client, children
// of the span in the caller's context, and the context given to the inner
// backend carries the new span (so that HTTP instrumentation below nests
// under it, and the Observer's events land on it).
//
// Attributes: objstore.backend (the wrapper's name), objstore.key (the
// key; the prefix for list; the destination for copy and compose),
// objstore.src (copy: the source), objstore.size (Put: the declared size,
// then the stored size; Get and Stat: the object's size; copy and compose:
// the new object's), objstore.outcome (ok, not_found, exist, invalid,
// unavailable, busy, canceled, error), objstore.bytes_read (Get: bytes
// delivered by the reader), and objstore.count (list: objects in the page;
// remove-many: keys; compose: sources).
//
// # Failover events
//
// The FailoverObserver from Observer, given to the failover layer (e.g.
// minio.Config.Observer), adds each retry and failover as an event,
// "objstore.retry" or "objstore.failover", to the span in the context of
// the operation being retried: the span of this wrapper when it is above
// the failover layer, else the caller's own span. An endpoint going down
// or coming back is not a span event.
//
// A Get span ends when its reader is closed, not when Get returns, so that
// it covers the download; a reader that is never closed leaves its span
// open (Backend.Get requires the caller to close it).
//
// # Errors
//
// The wrapper returns the inner backend's errors unchanged. A failed
// operation records the error on its span (RecordError) and sets the
// status to Error — except not_found, which is an answer rather than a
// failure (an existence check), and only sets objstore.outcome. A Get
// reader that fails records its error and sets the status too.
package tracing
