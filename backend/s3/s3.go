package s3

import (
	"context"
	"log/slog"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
)

// RetryConfig tunes the retries, backoff and timeouts that New puts
// around the driver (package backend/failover, with the one endpoint of
// the bucket). Zero fields take the failover defaults.
type RetryConfig struct {
	MaxAttempts    int           // attempts per operation (default 5)
	MaxElapsed     time.Duration // no retry starts after this (default 60s)
	AttemptTimeout time.Duration // one metadata request, or time to first byte (default 10s)
	// StallTimeout aborts a transfer without progress for this long
	// (default 30s). A Put reads a whole part and then sends it, so this
	// must exceed the time to send one part (PartSize) to the server.
	StallTimeout        time.Duration
	BaseDelay, MaxDelay time.Duration     // jittered exponential backoff (defaults 50ms, 2s)
	Observer            failover.Observer // retry events for metrics and tracing; nil: none
	Logger              *slog.Logger      // nil: no logging
}

// New returns the S3 backend for cfg: the Driver, wrapped in the failover
// layer for retries with jittered backoff (429/5xx/SlowDown), per-attempt
// and stall timeouts, resumption of broken downloads, and rewinding of
// seekable readers for retried puts. The SDK's own retries are off, so
// attempts do not multiply. The result also implements
// backend.BatchRemover, backend.Presigner, backend.HealthChecker,
// backend.Copier and backend.Composer.
//
// The configuration is checked at once; the first request (with
// cfg.CreateBucket, the bucket check) happens on first use.
func New(ctx context.Context, cfg Config) (backend.Backend, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	create := cfg.CreateBucket
	cfg.CreateBucket = false // done in Open below, under the retry rules
	d, err := NewDriver(ctx, cfg)
	if err != nil {
		return nil, err
	}
	endpoint := d.endpointName()
	r := cfg.Retry
	fb, err := failover.New(ctx, failover.Config{
		Resolve: func(context.Context) ([]string, error) { return []string{endpoint}, nil },
		Open: func(ctx context.Context, _ string) (backend.Backend, error) {
			if create {
				if err := d.ensureBucket(ctx); err != nil {
					return nil, err
				}
			}
			return d, nil
		},
		CheckKey:       d.CheckKey,
		MaxAttempts:    r.MaxAttempts,
		MaxElapsed:     r.MaxElapsed,
		AttemptTimeout: r.AttemptTimeout,
		StallTimeout:   r.StallTimeout,
		BaseDelay:      r.BaseDelay,
		MaxDelay:       r.MaxDelay,
		Observer:       r.Observer,
		Logger:         r.Logger,
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return &store{Backend: fb, d: d}, nil
}

// store is what New returns: the failover backend (which forwards every
// capability of the driver), named after the bucket.
type store struct {
	*failover.Backend
	d *Driver
}

// String describes the store without secrets, as Driver.String does.
func (s *store) String() string { return s.d.String() }

// GoString keeps %#v from reading the fields of the failover layer, which
// its goroutines change (a data race), and from printing secrets.
func (s *store) GoString() string { return "s3.Backend(" + s.d.String() + ")" }
