package minio

import (
	"context"
	"errors"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
)

// bucketTimeout bounds the bucket creation on one endpoint in New.
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
	resolve := s.Resolve
	if resolve == nil {
		eps, err := expandEndpoints(s.Endpoints)
		if err != nil {
			return nil, err
		}
		if len(eps) == 0 {
			return nil, errConfig("no endpoints: set Config.Endpoints or Config.Resolve")
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
		return nil, backend.NewError("open", "", nil, err)
	}
	for _, ep := range eps {
		// Configuration mistakes fail here, not at the first request.
		if _, err := endpointURL(ep, s.Secure); err != nil {
			return nil, err
		}
	}
	if s.CreateBucket {
		if err := s.createBucket(ctx, eps); err != nil {
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

// createBucket creates the bucket through the first endpoint that
// answers; an endpoint that cannot be reached (or is busy) passes the
// turn to the next one, any other error is final.
func (s *settings) createBucket(ctx context.Context, eps []string) error {
	var last error
	for _, ep := range eps {
		d, err := s.open(ep)
		if err != nil {
			return err
		}
		bctx, cancel := context.WithTimeout(ctx, bucketTimeout)
		err = d.ensureBucket(bctx)
		cancel()
		d.Close()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !(errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy)) {
			return err
		}
		last = err
	}
	return last
}
