package minio

import (
	"context"
	"errors"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// bucketTimeout bounds the bucket creation (New) or removal
// (RemoveBucket) on one endpoint.
const bucketTimeout = 30 * time.Second

// New returns the Backend of a MinIO deployment: the raw drivers of its
// endpoints (NewEndpoint, one attempt per call) behind backend/failover,
// which spreads the requests over the endpoints, retries and fails over
// (see docs/failover.md). The endpoints come from cfg.Resolve, else from
// cfg.Endpoints (ellipsis notation expanded). Endpoints are opened lazily;
// with cfg.CreateBucket the bucket is created now, through the first
// endpoint that answers.
//
// The returned Backend implements backend.HealthChecker (one entry per
// endpoint), BatchRemover, Presigner and Lifecycler.
func New(ctx context.Context, cfg Config) (backend.Backend, error) {
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	resolve, eps, err := s.endpoints(ctx)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		// Configuration mistakes fail here, not at the first request.
		if _, err := endpointURL(ep, s.Secure); err != nil {
			return nil, err
		}
	}
	if s.CreateBucket {
		err := s.firstAnswering(ctx, eps, func(ctx context.Context, d *Driver) error {
			return s3core.EnsureBucket(ctx, uploader{d}, d.bucket)
		})
		if err != nil {
			return nil, err
		}
	}
	fc := failover.Config{
		Resolve: resolve,
		Open: func(_ context.Context, endpoint string) (backend.Backend, error) {
			return s.open(endpoint)
		},
		CheckKey:   checkKey,
		ReprobeMin: s.ReprobeMin,
		ReprobeMax: s.ReprobeMax,
		Prototype:  &Driver{}, // the capabilities of every endpoint's driver
	}
	s.Retry.ApplyTo(&fc)
	return failover.New(ctx, fc)
}

// endpoints returns the resolver of the endpoints (cfg.Resolve's, else
// cfg.Endpoints; the ellipsis notation expanded) and its first answer.
func (s *settings) endpoints(ctx context.Context) (func(context.Context) ([]string, error), []string, error) {
	resolve := s.Resolve
	if resolve == nil {
		eps, err := expandEndpoints(s.Endpoints)
		if err != nil {
			return nil, nil, err
		}
		resolve = func(context.Context) ([]string, error) { return eps, nil }
	} else {
		user := resolve
		resolve = func(ctx context.Context) ([]string, error) {
			eps, err := user(ctx)
			if err != nil {
				return nil, err
			}
			return expandEndpoints(eps)
		}
	}
	eps, err := resolve(ctx)
	if err != nil {
		return nil, nil, backend.NewError("open", "", nil, err)
	}
	if len(eps) == 0 {
		return nil, nil, errConfig("no endpoints: set Config.Endpoints or Config.Resolve")
	}
	return resolve, eps, nil
}

// firstAnswering calls f, bounded by bucketTimeout, with the driver of the
// first of eps that answers (bucket creation and removal): an endpoint
// that cannot be reached or is busy passes the turn to the next one, any
// other error is final.
func (s *settings) firstAnswering(ctx context.Context, eps []string, f func(context.Context, *Driver) error) error {
	var err error
	for _, ep := range eps {
		d, oerr := s.open(ep)
		if oerr != nil {
			return oerr
		}
		fctx, cancel := context.WithTimeout(ctx, bucketTimeout)
		err = f(fctx, d)
		cancel()
		d.Close()
		if err == nil || ctx.Err() != nil || !(errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy)) {
			return err
		}
	}
	return err
}
