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

// Presigner makes URLs that let a holder GET or PUT one object without
// credentials until expiry.
type Presigner interface {
	PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error)
	PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error)
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
