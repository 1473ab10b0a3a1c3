package backend

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The shared error vocabulary. Every error a Backend returns unwraps to at
// most one of these, so callers test with errors.Is and never parse text.
var (
	ErrNotFound        = errors.New("object not found")
	ErrExist           = errors.New("object already exists")
	ErrInvalidKey      = errors.New("invalid key")
	ErrInvalidArgument = errors.New("invalid argument")
	ErrClosed          = errors.New("backend is closed")
	ErrNotSupported    = errors.New("not supported by this backend")
	ErrPermission      = errors.New("permission denied")
	// ErrUnavailable: the endpoint could not be reached (connection
	// refused or reset, timeout, DNS). Retry layers fail over to another
	// endpoint.
	ErrUnavailable = errors.New("store unavailable")
	// ErrServerBusy: the server answered 429, 500, 502, 503, 504 or
	// SlowDown. Retry layers back off and try again.
	ErrServerBusy = errors.New("server busy or failing")
	ErrTooLarge   = errors.New("object too large")
	// ErrPreconditionFailed: a conditional put (PutOptions.IfMatch) or
	// get (GetOptions.IfMatch) found another version of the object, or
	// no object (HTTP 412).
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrNotModified: a conditional get (GetOptions.IfNoneMatch,
	// IfModifiedSince) found the version the caller already has (HTTP
	// 304). No body was sent.
	ErrNotModified = errors.New("object not modified")
	// ErrCorrupt: the bytes of a full read do not match the checksum
	// stored with the object (ObjectInfo.Checksum). The reader returns it
	// instead of io.EOF; the bytes already returned must not be trusted.
	ErrCorrupt = errors.New("object corrupt")
)

// hints tell the reader of an error what to do about it.
var hints = map[error]string{
	ErrInvalidKey:   "keys are 1-1024 bytes of UTF-8 without control characters, leading or trailing '/', '//', '.' or '..' segments",
	ErrClosed:       "open a new one",
	ErrPermission:   "check the credentials and the access rights: bucket policy or file permissions",
	ErrUnavailable:  "check that the server is running and reachable",
	ErrServerBusy:   "retry later or reduce the request rate",
	ErrNotSupported: "check the driver's capabilities in its docs",
	ErrPreconditionFailed: "the object changed (or is gone) since its ETag was read: Stat or Get it again, and retry the " +
		"compare-and-swap from its new ETag",
	ErrNotModified: "the copy the caller holds is current: use it",
	ErrCorrupt: "the object was damaged in the store or in transit: read it again; if the error stays, " +
		"restore the object from another copy",
}

// Error is the error type of every failed operation on an object. It
// unwraps to Kind (one of the sentinels above, may be nil) and to Err (the
// native error of the driver or SDK, may be nil), so that both
// errors.Is(err, ErrNotFound) and errors.As(err, &sdkErr) work.
type Error struct {
	Op   string // the operation: "put", "get", "stat", "list", "remove", ...
	Key  string // the key or prefix the operation was about
	Kind error  // a sentinel of this package, or nil
	Err  error  // the cause, or nil
	// RetryAfter is how long a busy store asked the client to wait
	// before the next request (the Retry-After header of a 429 or 503
	// answer), or 0 when it did not say. Drivers set it with
	// WithRetryAfter; read it with the function RetryAfter, which also
	// finds it deeper in the chain.
	RetryAfter time.Duration
}

// NewError returns an *Error; it is the one way drivers build errors.
// If cause already is an *Error, its Kind is kept when kind is nil, and
// its RetryAfter is kept when the new error is not of another kind than
// ErrServerBusy.
func NewError(op, key string, kind, cause error) *Error {
	var inner *Error
	if !errors.As(cause, &inner) {
		return &Error{Op: op, Key: key, Kind: kind, Err: cause}
	}
	if kind == nil {
		kind = inner.Kind
	}
	e := &Error{Op: op, Key: key, Kind: kind, Err: cause}
	if kind == nil || kind == ErrServerBusy {
		e.RetryAfter = inner.RetryAfter
	}
	return e
}

func (e *Error) Error() string { return "objstore: " + e.text() }

// text is the message without the "objstore: " prefix. An *Error wrapped
// in Err (an operation built on another, such as a stream write on a put)
// is spelled without its own prefix, and a kind and hint that the inner
// error already states are not repeated: one prefix, one hint.
func (e *Error) text() string {
	msg := e.Op
	if e.Key != "" {
		msg += " " + strconv.Quote(e.Key)
	}
	var cause string
	if e.Err != nil {
		cause = e.Err.Error()
	}
	// The inner error counts only where its text is part of the cause's
	// (a layer may wrap an *Error but say something else).
	var inner *Error
	nested := e.Err != nil && errors.As(e.Err, &inner) && strings.Contains(cause, inner.Error())
	repeated := nested && inner.Kind == e.Kind
	if e.Kind != nil && !repeated {
		msg += ": " + e.Kind.Error()
	}
	if e.Err != nil && e.Err != e.Kind {
		if nested {
			cause = strings.Replace(cause, inner.Error(), inner.text(), 1)
		}
		msg += ": " + redactText(cause)
	}
	if e.RetryAfter > 0 && !(nested && inner.RetryAfter == e.RetryAfter) {
		msg += "; the store asks to retry after " + e.RetryAfter.String()
	}
	if h, ok := hints[e.Kind]; ok && !repeated {
		msg += " (" + h + ")"
	}
	return msg
}

// Unwrap exposes both the sentinel and the native cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
