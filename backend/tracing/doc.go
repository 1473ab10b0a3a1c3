// Package tracing is a Backend wrapper that makes an OpenTelemetry span of
// every operation, with the retries and failovers of the retry layer
// (backend/failover) below it as events of those spans.
//
//	inner, _ := minio.New(ctx, minio.Config{...})
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
// under it) and an attempt hook that adds the events of a retry layer
// below to it.
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
// The wrapper adds an attempt hook (backend.WithAttemptHook) to the
// context of every call whose span records; the failover layer below
// (the minio and s3 drivers build on it), through any wrappers in
// between, reports to it, and each event of the call becomes an event of
// its span, with no configuration of the driver:
//
//	objstore.retry          objstore.endpoint, objstore.attempt (the failed one),
//	                        objstore.delay (before the next), objstore.reason, objstore.error
//	objstore.failover       objstore.from, objstore.to, objstore.attempt, objstore.reason, objstore.error
//	objstore.endpoint-down  objstore.endpoint, objstore.reason, objstore.error
//	objstore.endpoint-up    objstore.endpoint
//	objstore.resolve        objstore.endpoint (the new list), or objstore.reason and objstore.error
//
// A download resumed after its body broke adds its retry to the Get span,
// which lasts until the reader is closed. Endpoints never carry
// credentials.
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
