// Package logging is a Backend wrapper that logs failed and slow
// operations with log/slog, and a failover.Observer that logs retries,
// failovers and endpoints going down or coming back.
//
//	b := logging.New(inner, logger, logging.WithSlowThreshold(time.Second))
//
// # Levels
//
//	Debug  every successful operation, and not found (an answer, not a failure)
//	Info   operations cancelled by the caller's context; retries (Observer);
//	       an endpoint coming back (Observer)
//	Warn   exist and invalid (the caller's mistake or a lost race); slow
//	       operations that succeeded; failovers and endpoints going down
//	       (Observer)
//	Error  unavailable, busy and every other error (permission, closed,
//	       not supported, unclassified)
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
