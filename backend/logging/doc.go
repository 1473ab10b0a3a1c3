// Package logging is a Backend wrapper that logs failed and slow
// operations with log/slog, and the retries, failovers and endpoint
// changes of the retry layer (backend/failover) below it.
//
//	b := logging.New(inner, logger, logging.WithSlowThreshold(time.Second))
//
// # Levels
//
//	Debug  every successful operation, and not found (an answer, not a failure);
//	       retries ("objstore: retrying")
//	Info   operations cancelled by the caller's context; failovers
//	       ("objstore: failing over"); an endpoint coming back ("objstore:
//	       endpoint up"); a new list of endpoints ("objstore: endpoints changed")
//	Warn   exist and invalid (the caller's mistake or a lost race); slow
//	       operations that succeeded; an endpoint going down ("objstore:
//	       endpoint down"); a resolver that failed
//	Error  unavailable, busy and every other error (permission, closed,
//	       not supported, unclassified)
//
// # Retries and failovers
//
// The wrapper adds an attempt hook (backend.WithAttemptHook) to the
// context of every call it forwards; the failover layer below (the minio
// and s3 drivers build on it), through any wrappers in between, reports
// each retry, failover and endpoint change of the call to it, so they are
// logged with no configuration of the driver, with the call's context
// (a handler sees its trace or request ID). Their records carry op and
// key (the wrapper's operation), backend, endpoint (or from and to),
// attempt (the failed one), backoff (before the next attempt), reason
// (the outcome of the failed attempt) and error. An endpoint that the
// background prober finds back is logged with the first call that
// succeeds on it.
//
// Records carry op, key, backend, outcome, duration and, for failures,
// error; a copy also src (key is the destination), a compose count (its
// sources); a Get body that fails after Get returned is logged as op "read"
// with the bytes delivered so far. A Get is "slow" when the reader takes
// longer than the threshold to be returned (time to first byte).
//
// # Secrets
//
// Keys are logged; credentials never are. The backend name and endpoints
// go through backend.Redact, and every URL inside an error message is
// redacted the same way (passwords and signature-like query parameters
// become "xxxxx"). Presigned URLs are never logged.
//
// # Errors
//
// The wrapper returns the inner backend's errors unchanged.
package logging
