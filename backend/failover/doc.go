// Package failover is a backend.Backend that spreads requests over the
// endpoints of one store (the nodes of a MinIO cluster, several S3
// gateways), retries failed requests and fails over between endpoints. The
// minio and s3 drivers build on it; it works with any driver that maps its
// errors to the sentinels of package backend.
//
// Config.Resolve names the endpoints and Config.Open opens a raw backend
// (without retries of its own) for one of them. Requests go round-robin to
// the endpoints that are up.
//
// # Rules
//
//   - ErrUnavailable (connection refused or reset, timeout, DNS, or our own
//     AttemptTimeout or StallTimeout firing while the caller's context is
//     alive): the endpoint is marked down and the request goes at once to
//     another endpoint. A background prober re-checks down endpoints with
//     a backoff from ReprobeMin to ReprobeMax. When every endpoint is down,
//     the resolver is asked again (at most once per ReprobeMin) and the
//     endpoint that failed least recently is tried anyway.
//   - ErrServerBusy (429, 500, 502, 503, 504, SlowDown): retried after a
//     jittered exponential backoff (BaseDelay doubling up to MaxDelay), or
//     after the delay the answer's Retry-After asked for when that is
//     longer (backend.RetryAfter) and the retry goes back to the endpoint
//     that asked, on the next endpoint if there is one (after the backoff
//     only). A Retry-After that would pass MaxElapsed or the caller's
//     deadline before a retry on the same endpoint ends the operation at
//     once with the busy error.
//   - Every other error (ErrNotFound, ErrExist, ErrPermission,
//     ErrInvalidArgument, ...) is returned at once, never retried.
//   - At most MaxAttempts attempts; no retry starts once MaxElapsed has
//     passed; the caller's context deadline always holds.
//   - A retried Put sends the object again from byte 0: an io.Seeker
//     reader is sought back, a reader that cannot seek is retried only if
//     the failed attempt never read from it, else ErrNotRewindable. A
//     retried create-only Put that finds its own earlier write (same size,
//     ETag equal to the MD5 of what was sent) succeeds.
//   - A Get body that breaks is resumed with a ranged Get against the same
//     ETag (else ErrObjectChanged); it never ends short with a clean EOF.
//
// docs/failover.md has the defaults, how to tune them and a table of what
// survives which failure.
//
// # Events
//
// Every retry, failover, endpoint going down or coming back, and change
// of the resolved endpoints is reported as a backend.AttemptEvent to the
// hooks in the context of the call that saw it (backend.WithAttemptHook):
// the metrics, tracing and logging wrappers, put above the Backend, add
// theirs to every call they forward, so they count, trace and log the
// attempts without any configuration here. A resumed download reports
// its break as a retry to the hooks of the context given to Get. An
// endpoint that the background prober finds back is reported to the
// first call, with hooks, that succeeds on it.
//
// # Capabilities
//
// The Backend always has BatchRemover and HealthChecker (with fallbacks:
// one Remove per key, a List of one key as a probe) and KeyChecker
// (Config.CheckKey). Presigner, Lifecycler, Copier and Composer it has
// exactly when the endpoint backends have them: those of
// Config.Prototype, or else of the first endpoint New opens. backend.As
// finds them through Backend.Unwrap; each is forwarded with the retry
// rules.
//
// # Errors
//
// Errors are *backend.Error values with the sentinels of package backend,
// naming the operation and key. An operation that failed after retries has
// a *RetryError cause (attempts, elapsed time, last endpoint) that unwraps
// to the last attempt's error, so the driver's own error stays reachable
// with errors.As. ErrNotRewindable and ErrObjectChanged mark the two
// failures that are specific to retrying a transfer. Endpoint names in
// errors, events and String never contain credentials.
package failover
