// Package metrics is a Backend wrapper that exports Prometheus metrics for
// every operation, and for the retries, failovers and endpoint health of
// the retry layer (backend/failover) below it.
//
//	b := metrics.New(inner, prometheus.DefaultRegisterer, metrics.WithName("captures"))
//	client := objstore.New(inner, objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
//		return metrics.New(b, reg)
//	}))
//
// # Metrics
//
// With the default namespace "objstore":
//
//	objstore_operations_total{backend,op,outcome}          counter
//	objstore_operation_duration_seconds{backend,op}        histogram
//	objstore_uploaded_bytes_total{backend}                 counter: bytes read from Put readers
//	objstore_downloaded_bytes_total{backend}               counter: bytes delivered by Get readers
//	objstore_retries_total{backend,op,reason}              counter: attempts retried below the wrapper
//	objstore_failovers_total{backend,op}                   counter: attempts sent to another endpoint
//	objstore_endpoint_up{backend,endpoint}                 gauge 1/0
//
// RateLimitCollector exports a rate limiter (backend/ratelimit):
// objstore_ratelimit_waits_total, _wait_seconds_total,
// _backoffs_total{source}, _backoff_seconds_total and the gauge
// objstore_ratelimit_limit{limit}, each labelled backend.
//
// op is put, get, stat, list, remove, remove-many, copy, compose, health,
// presign-get, presign-head, presign-put, presign-delete, set-expiry,
// expiry, or read (a Get body that failed after Get returned). The bytes
// of a copy or compose never pass through the client and are not
// counted. outcome and reason are one of ok, not_found, exist, invalid,
// unavailable, busy, canceled, error (see Outcome).
//
// The duration of a Get is the time until Get returns (time to first
// byte); the bytes of a Get are added when its reader hits io.EOF or is
// closed, whichever comes first.
//
// # Retries and failovers
//
// The wrapper adds an attempt hook (backend.WithAttemptHook) to the
// context of every call it forwards; the failover layer below (the minio
// and s3 drivers build on it), with any wrappers in between, reports each
// retry, failover and endpoint change of the call to it. So the last
// three metrics need no configuration: put the wrapper above the driver.
// op is the wrapper's operation (a resumed download counts under get);
// reason is the outcome of the failed attempt. endpoint_up of an endpoint
// appears at its first change of state, set by the call that saw it (an
// endpoint that the background prober finds back is set to 1 by the
// first call that succeeds on it).
//
// # Registration
//
// Every wrapper registers the same collectors; a second
// registration on the same Registerer reuses the collectors already there
// (prometheus.AlreadyRegisteredError), so several wrappers, told apart by
// their "backend" label, share one registry without a panic. A collector
// of the same name but a different shape, registered by someone else, is a
// programming error and panics, as with promauto.
//
// # Errors
//
// The wrapper returns the inner backend's errors unchanged.
package metrics
