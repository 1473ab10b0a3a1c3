package observe

import (
	"context"
	"errors"

	"github.com/objstore-dev/objstore/backend"
)

// The outcomes of an operation: the values of the wrappers' "outcome" and
// "reason" labels and attributes.
const (
	OutcomeOK          = "ok"
	OutcomeNotFound    = "not_found"
	OutcomeExist       = "exist"
	OutcomeInvalid     = "invalid"
	OutcomeUnavailable = "unavailable"
	OutcomeBusy        = "busy"
	OutcomeCanceled    = "canceled"
	OutcomeError       = "error"
)

// Outcome classifies err by the backend sentinels it wraps. The store's
// own failures (unavailable, busy) are tested before the caller's context
// errors, because a driver reports a transport deadline as ErrUnavailable.
// ErrInvalidKey, ErrInvalidArgument and ErrTooLarge are "invalid"; every
// other error (ErrPermission, ErrClosed, ErrNotSupported, unclassified)
// is "error".
func Outcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, backend.ErrNotFound):
		return OutcomeNotFound
	case errors.Is(err, backend.ErrExist):
		return OutcomeExist
	case errors.Is(err, backend.ErrInvalidKey), errors.Is(err, backend.ErrInvalidArgument), errors.Is(err, backend.ErrTooLarge):
		return OutcomeInvalid
	case errors.Is(err, backend.ErrUnavailable):
		return OutcomeUnavailable
	case errors.Is(err, backend.ErrServerBusy):
		return OutcomeBusy
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	}
	return OutcomeError
}
