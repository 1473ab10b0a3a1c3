package backend

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryAfter returns how long the store asked the client to wait before
// its next request, when err, or an error it wraps, says so: the
// RetryAfter field of an *Error, or the RetryAfter() method of any error
// in the chain (an SDK's own). The first positive value in the order
// errors.As looks (depth first, outermost first) wins; ok is false when
// no layer carries one.
//
// Retry layers wait at least this long before they try again (bounded by
// their own maximum and the caller's context); backend/ratelimit pauses
// every request for it.
func RetryAfter(err error) (d time.Duration, ok bool) {
	if err == nil {
		return 0, false
	}
	switch x := err.(type) {
	case *Error:
		if x.RetryAfter > 0 {
			return x.RetryAfter, true
		}
	case interface{ RetryAfter() time.Duration }:
		if d := x.RetryAfter(); d > 0 {
			return d, true
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return RetryAfter(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if d, ok := RetryAfter(inner); ok {
				return d, true
			}
		}
	}
	return 0, false
}

// WithRetryAfter sets e.RetryAfter from the headers of the store's answer
// when e is a busy answer (Kind ErrServerBusy) and h carries a delay (see
// RetryAfterHeader); otherwise e is returned unchanged. Drivers call it
// in their error mapping:
//
//	return backend.NewError(op, key, kind, err).WithRetryAfter(resp.Header)
func (e *Error) WithRetryAfter(h http.Header) *Error {
	if e == nil || e.Kind != ErrServerBusy {
		return e
	}
	if d, ok := RetryAfterHeader(h, time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// RetryAfterHeader reads the delay an HTTP answer asks for, relative to
// now: Retry-After in seconds ("120", a fraction is accepted) or as an
// HTTP date (RFC 9110 section 10.2.3), or Azure's x-ms-retry-after-ms and
// retry-after-ms in milliseconds, which are more precise and win. A date
// in the past, a zero, a negative or an unreadable value is no delay
// (ok false).
func RetryAfterHeader(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if h == nil {
		return 0, false
	}
	for _, name := range []string{"X-Ms-Retry-After-Ms", "Retry-After-Ms"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && !math.IsInf(ms, 0) {
				return clampDuration(ms * float64(time.Millisecond)), true
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || math.IsNaN(s) {
			return 0, false
		}
		return clampDuration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		// A date has whole seconds: round up, to wait at least until it.
		if d := t.Sub(now); d > 0 {
			return (d + time.Second - 1).Truncate(time.Second), true
		}
	}
	return 0, false
}

// clampDuration converts nanoseconds to a Duration without overflow.
func clampDuration(ns float64) time.Duration {
	if ns >= math.MaxInt64 || math.IsInf(ns, 1) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}
