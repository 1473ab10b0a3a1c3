package failover

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// class is what the retry loop does about a failed attempt.
type class int

const (
	classPermanent   class = iota // return the error: retrying cannot help
	classUnavailable              // mark the endpoint down, go on at once elsewhere
	classBusy                     // back off, then try again (elsewhere if possible)
)

// classify sorts an attempt's error. Drivers map their errors to the
// sentinels; a raw network error that a driver left unmapped still counts
// as ErrUnavailable, and so does an HTTP request that got no answer at all
// (a *url.Error from an HTTP client), unless the cause is a cancellation
// or a certificate that does not verify: SDKs rewrite some transport
// errors into plain text (minio-go turns an EOF into "Connection closed
// by foreign host"), which the drivers' mapping can miss.
func classify(err error) class {
	switch {
	case errors.Is(err, backend.ErrUnavailable):
		return classUnavailable
	case errors.Is(err, backend.ErrServerBusy):
		return classBusy
	case errors.Is(err, backend.ErrNotFound), errors.Is(err, backend.ErrExist),
		errors.Is(err, backend.ErrInvalidKey), errors.Is(err, backend.ErrInvalidArgument),
		errors.Is(err, backend.ErrClosed), errors.Is(err, backend.ErrNotSupported),
		errors.Is(err, backend.ErrPermission), errors.Is(err, backend.ErrTooLarge):
		return classPermanent
	case backend.NetworkKind(err) != nil, errors.Is(err, io.ErrUnexpectedEOF), noAnswer(err):
		return classUnavailable
	}
	return classPermanent
}

// noAnswer reports whether err is an HTTP request that failed without an
// answer for a reason that another attempt may not have.
func noAnswer(err error) bool {
	var ue *url.Error
	if !errors.As(err, &ue) || errors.Is(err, context.Canceled) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	return !errors.As(err, &certErr) && !errors.As(err, &unknownCA) && !errors.As(err, &hostErr)
}

// kindOf returns the sentinel of a retryable error.
func kindOf(err error) error {
	if classify(err) == classBusy {
		return backend.ErrServerBusy
	}
	return backend.ErrUnavailable
}

// stopError makes the retry loop return err at once, whatever its class
// (for instance a Put whose own source reader failed).
type stopError struct{ err error }

func (s *stopError) Error() string { return s.err.Error() }
func (s *stopError) Unwrap() error { return s.err }

// retryHook runs before every retry (attempt is the one about to start,
// from 2); an error ends the operation with that error.
type retryHook func(ctx context.Context, attempt int, lastErr error) error

// attemptFunc makes one attempt on an endpoint's backend.
type attemptFunc[T any] func(ctx context.Context, e *endpoint, be backend.Backend) (T, error)

// run performs an operation with the retry and failover rules: attempts go
// to the endpoints pick chooses; an ErrUnavailable-class failure marks the
// endpoint down and goes on at once to an endpoint not yet tried; an
// ErrServerBusy failure, or a retry on an endpoint already tried, waits a
// jittered exponential backoff first; any other error is returned as it
// is. At most MaxAttempts attempts are made, no retry starts after
// MaxElapsed, and the caller's ctx holds throughout.
func run[T any](ctx context.Context, b *Backend, op, key string, hook retryHook, attempt attemptFunc[T]) (T, error) {
	var zero T
	start := time.Now()
	tried := make(map[*endpoint]int, 4)
	var prev *endpoint
	var lastErr error
	var lastClass class
	backoffs := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return zero, ctxError(op, key, err, lastErr)
		}
		e, fresh := b.pick(ctx, op, key, tried)
		if n > 1 {
			var delay time.Duration
			if lastClass == classBusy || !fresh {
				backoffs++
				delay = backoff(b.cfg.BaseDelay, b.cfg.MaxDelay, backoffs)
			}
			// A busy store that said how long to wait (Retry-After) is
			// given at least that, whatever the backoff, when the next
			// attempt goes back to it; MaxElapsed and the caller's ctx
			// bound it. Another endpoint is tried after the backoff only:
			// a MinIO node answers a quorum loss with Retry-After 60 while
			// its peers may already serve.
			ra, asked := time.Duration(0), false
			if lastClass == classBusy && e == prev {
				if ra, asked = backend.RetryAfter(lastErr); asked {
					delay = max(delay, ra)
				}
			}
			if time.Since(start)+delay > b.cfg.MaxElapsed {
				reason := "MaxElapsed reached"
				if asked && delay == ra {
					reason = fmt.Sprintf("the store asked to retry after %v (Retry-After), past MaxElapsed %v", ra, b.cfg.MaxElapsed)
				}
				return zero, gaveUp(op, key, n-1, time.Since(start), prev, lastErr, reason)
			}
			if deadline, ok := ctx.Deadline(); ok && asked && delay == ra && time.Until(deadline) < delay {
				// No attempt could start before the caller's deadline:
				// say so now rather than sleep until it passes.
				return zero, gaveUp(op, key, n-1, time.Since(start), prev, lastErr,
					fmt.Sprintf("the store asked to retry after %v (Retry-After), past the caller's deadline", ra))
			}
			if hook != nil {
				if err := hook(ctx, n, lastErr); err != nil {
					return zero, err
				}
			}
			backend.ReportAttempt(ctx, backend.AttemptEvent{Kind: backend.AttemptRetry, Op: op, Key: key,
				Endpoint: prev.name, Attempt: n - 1, Err: lastErr, Delay: delay})
			if e != prev {
				backend.ReportAttempt(ctx, backend.AttemptEvent{Kind: backend.AttemptFailover, Op: op, Key: key,
					Endpoint: prev.name, To: e.name, Attempt: n - 1, Err: lastErr})
			}
			if err := sleep(ctx, delay); err != nil {
				return zero, ctxError(op, key, err, lastErr)
			}
		}

		v, err := attemptOn(ctx, b, e, attempt)
		if err == nil {
			b.markUp(ctx, op, key, e)
			return v, nil
		}
		var stop *stopError
		if errors.As(err, &stop) {
			return zero, stop.err
		}
		if ctx.Err() != nil {
			return zero, ctxError(op, key, ctx.Err(), err)
		}
		tried[e] = n
		prev, lastErr, lastClass = e, err, classify(err)
		switch lastClass {
		case classPermanent:
			return zero, err
		case classUnavailable:
			b.markDown(ctx, op, key, e, err)
		}
		if n >= b.cfg.MaxAttempts {
			return zero, gaveUp(op, key, n, time.Since(start), e, err, "MaxAttempts reached")
		}
	}
}

// attemptOn opens the endpoint if needed and runs one attempt on it.
func attemptOn[T any](ctx context.Context, b *Backend, e *endpoint, f attemptFunc[T]) (T, error) {
	be, err := e.acquire(ctx, b.cfg.Open)
	if err != nil {
		var zero T
		return zero, err
	}
	defer e.release()
	return f(ctx, e, be)
}

// timed bounds each attempt of a metadata operation by AttemptTimeout; a
// timeout while the caller's ctx is alive counts as ErrUnavailable.
func timed[T any](b *Backend, op, key string, f func(ctx context.Context, be backend.Backend) (T, error)) attemptFunc[T] {
	return func(ctx context.Context, e *endpoint, be backend.Backend) (T, error) {
		actx, cancel := context.WithTimeoutCause(ctx, b.cfg.AttemptTimeout, errAttemptTimeout)
		defer cancel()
		v, err := f(actx, be)
		if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptTimeout) {
			err = timeoutError(op, key, e, "AttemptTimeout", b.cfg.AttemptTimeout, err)
		}
		return v, err
	}
}

// backoff returns the n-th (from 1) backoff delay: a random duration in
// [d/2, d] where d = min(maxDelay, base * 2^(n-1)).
func backoff(base, maxDelay time.Duration, n int) time.Duration {
	d := maxDelay
	if n < 63 {
		if shifted := base << (n - 1); shifted > 0 && shifted>>(n-1) == base && shifted < maxDelay {
			d = shifted
		}
	}
	return jitter(d)
}

// jitter returns a random duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
