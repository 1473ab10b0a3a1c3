package failover

import (
	"errors"
	"fmt"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// ErrNotRewindable is in the error of a Put that failed with a retryable
// error after its reader had delivered bytes, when the reader cannot seek
// back: retrying would store a short object, so the Put fails instead. The
// error's sentinel is that of the failed attempt (ErrUnavailable or
// ErrServerBusy).
var ErrNotRewindable = errors.New("the reader cannot be rewound; pass an io.ReadSeeker to allow retries")

// ErrObjectChanged is in the error of a Get reader whose download broke and
// could not be resumed because the object was replaced in between (its
// ETag or size changed). The error's sentinel is ErrUnavailable: reading
// the object again from the start gives the new version whole.
var ErrObjectChanged = errors.New("the object changed while it was read")

var (
	// errAttemptTimeout is the cancellation cause of an attempt that ran
	// out of AttemptTimeout or StallTimeout.
	errAttemptTimeout = errors.New("attempt timed out")
	errNilOpen        = errors.New("failover: Config.Open returned a nil backend")
)

// RetryError is the cause of the error of an operation that failed after
// retries: the sentinel of its *backend.Error is that of the last attempt,
// and RetryError unwraps to the last attempt's error, so both errors.Is and
// errors.As reach the driver's error.
type RetryError struct {
	Attempts int           // attempts made
	Elapsed  time.Duration // from the start of the first attempt
	Endpoint string        // of the last attempt
	Reason   string        // why retrying stopped ("MaxAttempts reached", ...)
	Last     error         // the last attempt's error
}

func (r *RetryError) Error() string {
	return fmt.Sprintf("gave up after %d attempts in %v (%s; last on %s): %s",
		r.Attempts, r.Elapsed.Round(time.Millisecond), r.Reason, r.Endpoint, causeText(r.Last))
}

func (r *RetryError) Unwrap() error { return r.Last }

func gaveUp(op, key string, attempts int, elapsed time.Duration, e *endpoint, last error, reason string) error {
	return backend.NewError(op, key, kindOf(last), &RetryError{
		Attempts: attempts, Elapsed: elapsed, Endpoint: e.name, Reason: reason, Last: last,
	})
}

// ctxError is the error of an operation whose caller's ctx ended.
func ctxError(op, key string, ctxErr, last error) error {
	if last == nil {
		return backend.NewError(op, key, nil, ctxErr)
	}
	if errors.Is(last, ctxErr) {
		return last
	}
	return backend.NewError(op, key, nil, fmt.Errorf("%w (after: %s)", ctxErr, causeText(last)))
}

// timeoutError is the error of an attempt stopped by one of our timeouts
// while the caller's ctx was still alive: ErrUnavailable, naming the
// endpoint and the timeout.
func timeoutError(op, key string, e *endpoint, which string, d time.Duration, err error) error {
	return backend.NewError(op, key, backend.ErrUnavailable,
		wrapf([]error{err}, "%s did not answer within %v (%s): %s", e.name, d, which, causeText(err)))
}

// chain is an error with its own message that unwraps to errs. It keeps
// the errors it is about reachable (errors.Is, errors.As) without
// repeating the "objstore: op "key": kind (hint)" text of the nested
// *backend.Error values in its message.
type chain struct {
	msg  string
	errs []error
}

func (c *chain) Error() string   { return c.msg }
func (c *chain) Unwrap() []error { return c.errs }

func wrapf(errs []error, format string, args ...any) error {
	return &chain{msg: fmt.Sprintf(format, args...), errs: errs}
}

// causeText is the message of err without the "objstore: op "key": kind"
// prefixes of nested *backend.Error values, to avoid repeating them.
func causeText(err error) string {
	for {
		be, ok := err.(*backend.Error)
		if !ok {
			break
		}
		if be.Err == nil {
			if be.Kind != nil {
				return be.Kind.Error()
			}
			return "unknown error"
		}
		err = be.Err
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
