package backend

import (
	"context"
	"time"
)

// Attempt events: a retry layer (backend/failover) reports its retries,
// failovers and endpoint changes to the hooks in the context of the call
// it serves; the wrappers above it (metrics, tracing, logging) each add
// their own hook to the context of every call they forward. No wrapper
// and no driver needs to know another: the context carries the hooks
// down, through any wrappers in between.

// AttemptKind says what an AttemptEvent reports.
type AttemptKind int

const (
	// AttemptRetry: attempt number Attempt of the operation failed on
	// Endpoint with Err, and another attempt follows after Delay.
	AttemptRetry AttemptKind = iota + 1
	// AttemptFailover: the next attempt goes to another endpoint, To,
	// after attempt number Attempt failed on Endpoint with Err. It comes
	// right after the AttemptRetry of the same failure.
	AttemptFailover
	// AttemptEndpointDown: this call's failure (Err) took Endpoint out of
	// the rotation; it is re-probed in the background.
	AttemptEndpointDown
	// AttemptEndpointUp: Endpoint is back in the rotation. A recovery
	// found by a background probe is reported to the first call, with
	// hooks, that succeeds on the endpoint after it.
	AttemptEndpointUp
	// AttemptResolve: every endpoint had failed, so the endpoints were
	// resolved again; Err is the resolver's error (the endpoints were
	// kept), or nil and Endpoint lists the new endpoints, separated by
	// commas. Reported only when the list changed or the resolver failed.
	AttemptResolve
)

// String returns "retry", "failover", "endpoint-down", "endpoint-up" or
// "resolve".
func (k AttemptKind) String() string {
	switch k {
	case AttemptRetry:
		return "retry"
	case AttemptFailover:
		return "failover"
	case AttemptEndpointDown:
		return "endpoint-down"
	case AttemptEndpointUp:
		return "endpoint-up"
	case AttemptResolve:
		return "resolve"
	}
	return "unknown"
}

// AttemptEvent is one event of the retry layer below a call, as the
// hooks of the call's context receive it. Endpoint names never contain
// credentials.
type AttemptEvent struct {
	Kind AttemptKind
	// Op and Key name the operation of the retry layer that saw the event
	// ("put", "get", "stat", "list", "remove", "copy", "presign-get", ...,
	// as in *Error), and its key (the prefix of a list; empty for
	// operations without one).
	Op, Key string
	// Endpoint is the endpoint of the failed attempt (retry), the one
	// left (failover), the one that went down or came back, or the list
	// of endpoints (resolve).
	Endpoint string
	// To is the endpoint of the next attempt (failover).
	To string
	// Attempt is the number, from 1, of the attempt that failed (retry,
	// failover).
	Attempt int
	// Err is the failed attempt's error (retry, failover), why the
	// endpoint went down (endpoint-down), or the resolver's error.
	Err error
	// Delay is the wait before the next attempt (retry).
	Delay time.Duration
}

// AttemptHook receives the attempt events of one call. It is called on
// the call's path, possibly from several goroutines at once (a health
// check probes the endpoints in parallel): it must be fast and safe for
// concurrent use.
type AttemptHook func(AttemptEvent)

type attemptHooksKey struct{}

// WithAttemptHook returns a context that carries hook in addition to the
// hooks ctx already carries: hooks compose, each wrapper adding its own,
// and every one is called. A nil hook returns ctx.
func WithAttemptHook(ctx context.Context, hook AttemptHook) context.Context {
	if hook == nil {
		return ctx
	}
	prev := AttemptHooks(ctx)
	hooks := make([]AttemptHook, len(prev), len(prev)+1)
	copy(hooks, prev)
	return context.WithValue(ctx, attemptHooksKey{}, append(hooks, hook))
}

// AttemptHooks returns the hooks ctx carries, in the order they were
// added (the outermost wrapper's first). The slice must not be modified.
func AttemptHooks(ctx context.Context) []AttemptHook {
	hooks, _ := ctx.Value(attemptHooksKey{}).([]AttemptHook)
	return hooks
}

// ReportAttempt calls every hook ctx carries with ev, in order.
func ReportAttempt(ctx context.Context, ev AttemptEvent) {
	for _, h := range AttemptHooks(ctx) {
		h(ev)
	}
}
