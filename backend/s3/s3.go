package s3

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// New returns the S3 backend for cfg: the Driver, wrapped in the failover
// layer for retries with jittered backoff (429/5xx/SlowDown), per-attempt
// and stall timeouts, resumption of broken downloads, and rewinding of
// seekable readers for retried puts. The SDK's own retries are off, so
// attempts do not multiply. The result also implements
// backend.BatchRemover, backend.Presigner, backend.HealthChecker,
// backend.Lifecycler, backend.Copier and backend.Composer.
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
	fc := failover.Config{
		Open: func(ctx context.Context, _ string) (backend.Backend, error) {
			if create {
				if err := s3core.EnsureBucket(ctx, uploader{d}, d.bucket); err != nil {
					return nil, err
				}
			}
			return d, nil
		},
		CheckKey: d.CheckKey,
	}
	cfg.Retry.ApplyTo(&fc)
	return failover.Single(ctx, d, d.endpointName(), "s3.Backend", fc)
}
