package backend

import (
	"context"
	"time"
)

// Optional capabilities. A driver implements those its store offers; the
// client finds them with As and falls back when they are missing.

// BatchRemover removes many keys in few requests. Missing keys are not
// errors. The returned error joins (errors.Join) one *Error per key that
// could not be removed, so callers can report each.
type BatchRemover interface {
	RemoveMany(ctx context.Context, keys []string) error
}

// HealthChecker reports the health of every endpoint behind a backend.
type HealthChecker interface {
	Health(ctx context.Context) ([]EndpointHealth, error)
}

// EndpointHealth is the status of one server endpoint.
type EndpointHealth struct {
	Endpoint string        // host:port or URL, without credentials
	Live     bool          // the process answers
	Ready    bool          // it can serve reads and writes
	Latency  time.Duration // of the health request
	Err      error         // why it is not live or ready, if known
}

// Presigner makes URLs that let their holder make one kind of request on
// one object, with a plain HTTP client and no credentials, until expiry.
//
// Presign signs method (http.MethodGet, MethodHead, MethodPut or
// MethodDelete) on key for expiry, which must be at least a second; a
// driver whose signatures have a longest validity (S3 and GCS: 7 days)
// refuses a longer one. Any other method, or options that the method
// cannot use, are refused. Every refused argument is an error wrapping
// ErrInvalidArgument (ErrInvalidKey for key), made before any I/O;
// CheckPresign makes these checks. Signing is local where the store
// allows it: the object need not exist.
//
// A driver that has the method may still be unable to sign in the way it
// was configured (anonymous access, a token without a signing key, a
// store that cannot bind a content type): it then returns an error
// wrapping ErrNotSupported that says why.
//
// The URL is a secret for as long as it is valid: wrappers never log or
// record it.
type Presigner interface {
	Presign(ctx context.Context, method, key string, expiry time.Duration, opts PresignOptions) (string, error)
}

// Lifecycler manages expiry rules: objects under prefix are deleted by the
// store once they are older than the given number of days.
type Lifecycler interface {
	SetExpiry(ctx context.Context, prefix string, days int) error
	Expiry(ctx context.Context) (map[string]int, error) // prefix -> days
}

// Wrapper is implemented by backends that wrap another (retry, metrics,
// tracing, ...), so that As can find capabilities of the inner backend.
type Wrapper interface {
	Unwrap() Backend
}

// As finds a capability T in b or, through Unwrap, in the backends it
// wraps, outermost first.
func As[T any](b Backend) (T, bool) {
	for b != nil {
		if c, ok := b.(T); ok {
			return c, true
		}
		w, ok := b.(Wrapper)
		if !ok {
			break
		}
		b = w.Unwrap()
	}
	var zero T
	return zero, false
}

// KeyChecker is implemented by drivers whose store refuses some keys that
// ValidateKey accepts (the fs driver: a segment longer than a file name
// may be). CheckKey reports, without I/O, an error wrapping ErrInvalidKey
// for a key the store could not hold, so that a caller can refuse an
// operation before it starts (a stream checks every chunk key it could
// ever need). Wrappers need not forward it: find it with As.
type KeyChecker interface {
	CheckKey(op, key string) error
}
