package failover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Defaults of the Config fields left zero.
const (
	DefaultMaxAttempts    = 5
	DefaultMaxElapsed     = 60 * time.Second
	DefaultAttemptTimeout = 10 * time.Second
	DefaultStallTimeout   = 30 * time.Second
	DefaultBaseDelay      = 50 * time.Millisecond
	DefaultMaxDelay       = 2 * time.Second
	DefaultReprobeMin     = time.Second
	DefaultReprobeMax     = 30 * time.Second
)

// Config configures New. Resolve and Open are required; every other field
// may be left zero for its default (the Default... constants).
type Config struct {
	// Resolve returns the endpoints (e.g. "host:port"). It is asked at New
	// and again when every endpoint has failed (at most once per
	// ReprobeMin): new endpoints are added, vanished ones dropped (their
	// backends are closed once no request uses them). An error or an empty
	// answer after New keeps the current endpoints.
	Resolve func(ctx context.Context) ([]string, error)

	// Open returns a raw backend (no retries of its own) that talks to one
	// endpoint. It is called lazily, when an endpoint is first used, until
	// it succeeds once; ctx bounds the opening only and must not be kept.
	// An Open error of class ErrUnavailable or ErrServerBusy is handled
	// like a failed attempt; any other Open error is returned to the
	// caller, since it means a configuration mistake.
	Open func(ctx context.Context, endpoint string) (backend.Backend, error)

	// CheckKey, if set, refuses without I/O the keys that the endpoints'
	// store cannot hold although ValidateKey accepts them (a segment
	// longer than a file name on MinIO); the Backend's CheckKey
	// (backend.KeyChecker) calls it. Endpoints are opened lazily, so the
	// driver states its limits here rather than on an endpoint backend.
	CheckKey func(op, key string) error

	// MaxAttempts is the total number of attempts of one operation.
	MaxAttempts int
	// MaxElapsed caps the time over which one operation is retried: no
	// retry starts once it has passed since the first attempt began. A
	// running attempt is bounded by AttemptTimeout and StallTimeout
	// instead, so a long upload is not cut. The caller's ctx always holds.
	MaxElapsed time.Duration
	// AttemptTimeout bounds one attempt of a metadata operation (Stat,
	// List, Remove, ...), the time until a Get has its answer, and the time
	// until a Put's driver reads the first byte of the body.
	AttemptTimeout time.Duration
	// StallTimeout aborts a transfer that makes no progress for this long:
	// a Put whose reader is not read (the driver is blocked sending, or
	// waiting for the answer after the last byte), a Read of a Get body
	// that waits this long for a byte. Time spent in the caller's code
	// (its Put reader, or between its Reads) does not count. It must be
	// longer than a driver needs to send one part of a multipart upload.
	// The attempt then counts as ErrUnavailable.
	StallTimeout time.Duration
	// BaseDelay and MaxDelay shape the jittered exponential backoff
	// between retries: the n-th backoff waits a random time in
	// [d/2, d] where d = min(MaxDelay, BaseDelay * 2^(n-1)).
	BaseDelay, MaxDelay time.Duration
	// ReprobeMin and ReprobeMax shape the backoff of the background
	// re-probe of an endpoint that is down.
	ReprobeMin, ReprobeMax time.Duration

	// Prototype, if set, is a backend with the optional capabilities
	// (backend.Presigner, Lifecycler, Copier, Composer, ...) of the
	// backends Open returns, as backend.As finds them; it is only
	// inspected, never called (a zero value of the driver's type will
	// do). The Backend has exactly those capabilities (see
	// Backend.Unwrap). Nil: New opens an endpoint to learn them.
	//
	// Retries, failovers and endpoint changes are not configured here:
	// they are reported to the hooks in each call's context
	// (backend.WithAttemptHook), which the metrics, tracing and logging
	// wrappers add.
	Prototype backend.Backend
}

// withDefaults checks c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Resolve == nil || c.Open == nil {
		return c, backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("failover: Config.Resolve and Config.Open are required"))
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"MaxElapsed", &c.MaxElapsed, DefaultMaxElapsed},
		{"AttemptTimeout", &c.AttemptTimeout, DefaultAttemptTimeout},
		{"StallTimeout", &c.StallTimeout, DefaultStallTimeout},
		{"BaseDelay", &c.BaseDelay, DefaultBaseDelay},
		{"MaxDelay", &c.MaxDelay, DefaultMaxDelay},
		{"ReprobeMin", &c.ReprobeMin, DefaultReprobeMin},
		{"ReprobeMax", &c.ReprobeMax, DefaultReprobeMax},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return c, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("failover: Config.%s is negative (%v)", d.name, *d.v))
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	switch {
	case c.MaxAttempts < 0:
		return c, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("failover: Config.MaxAttempts is negative (%d)", c.MaxAttempts))
	case c.MaxAttempts == 0:
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxDelay < c.BaseDelay {
		return c, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("failover: Config.MaxDelay (%v) is shorter than BaseDelay (%v)", c.MaxDelay, c.BaseDelay))
	}
	if c.ReprobeMax < c.ReprobeMin {
		return c, backend.NewError("open", "", backend.ErrInvalidArgument, fmt.Errorf("failover: Config.ReprobeMax (%v) is shorter than ReprobeMin (%v)", c.ReprobeMax, c.ReprobeMin))
	}
	return c, nil
}
