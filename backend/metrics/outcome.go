package metrics

import "github.com/objstore-dev/objstore/internal/observe"

// The outcomes of an operation, the values of the "outcome" and "reason"
// labels. The tracing and logging wrappers use the same values.
const (
	OutcomeOK          = observe.OutcomeOK
	OutcomeNotFound    = observe.OutcomeNotFound
	OutcomeExist       = observe.OutcomeExist
	OutcomeInvalid     = observe.OutcomeInvalid
	OutcomeUnavailable = observe.OutcomeUnavailable
	OutcomeBusy        = observe.OutcomeBusy
	OutcomeCanceled    = observe.OutcomeCanceled
	OutcomeError       = observe.OutcomeError
)

// Outcome classifies err by the backend sentinels it wraps. The store's
// own failures (unavailable, busy) are tested before the caller's context
// errors, because a driver reports a transport deadline as ErrUnavailable.
// ErrInvalidKey, ErrInvalidArgument and ErrTooLarge are "invalid"; every
// other error (ErrPermission, ErrClosed, ErrNotSupported, unclassified)
// is "error".
func Outcome(err error) string { return observe.Outcome(err) }
