package logging

import (
	"context"
	"errors"

	"github.com/objstore-dev/objstore/backend"
)

// outcome classifies err by the backend sentinels it wraps, with the same
// values as package metrics (which it does not import, to keep Prometheus
// out of logging-only builds). The store's failures are tested before the
// caller's context errors, because drivers report a transport deadline as
// ErrUnavailable.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, backend.ErrNotFound):
		return "not_found"
	case errors.Is(err, backend.ErrExist):
		return "exist"
	case errors.Is(err, backend.ErrInvalidKey), errors.Is(err, backend.ErrInvalidArgument), errors.Is(err, backend.ErrTooLarge):
		return "invalid"
	case errors.Is(err, backend.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, backend.ErrServerBusy):
		return "busy"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}
