package minio

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.RegisterRemover("minio", func(ctx context.Context, u *url.URL) error {
		cfg, err := configFromURL(u)
		if err != nil {
			return removeErr(err)
		}
		return RemoveBucket(ctx, cfg)
	})
}

// removeOp is the Op of RemoveBucket's errors (backend.Remover's).
const removeOp = "remove-store"

// RemoveBucket removes cfg's bucket, which must be empty, through the
// first of its endpoints that answers (an endpoint that cannot be reached
// or is busy passes the turn to the next one, as the bucket creation of
// New does); it is the minio:// remover of backend.RemoveStore and
// objstore.RemoveStore. cfg.CreateBucket is ignored.
//
// The server refuses to remove a bucket that holds objects (or versions
// of them): that is ErrExist, and nothing is removed; remove the objects
// first (objstore's Client.RemoveObjects(ctx, "")). A bucket that does not
// exist is ErrNotFound. Each endpoint gets one attempt, bounded by
// bucketTimeout.
func RemoveBucket(ctx context.Context, cfg Config) error {
	cfg.CreateBucket = false
	s, err := newSettings(cfg)
	if err != nil {
		return removeErr(err)
	}
	var eps []string
	if s.Resolve != nil {
		if eps, err = s.Resolve(ctx); err != nil {
			return backend.NewError(removeOp, "", nil, err)
		}
	} else {
		eps = s.Endpoints
	}
	if eps, err = expandEndpoints(eps); err != nil {
		return removeErr(err)
	}
	if len(eps) == 0 {
		return removeErr(errConfig("no endpoints: set Config.Endpoints or Config.Resolve"))
	}
	var last error
	for _, ep := range eps {
		d, err := s.open(ep)
		if err != nil {
			return removeErr(err)
		}
		rctx, cancel := context.WithTimeout(ctx, bucketTimeout)
		err = d.removeBucket(rctx)
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

// removeBucket removes the driver's bucket with one DeleteBucket request.
func (d *Driver) removeBucket(ctx context.Context) error {
	err := d.client.RemoveBucket(ctx, d.bucket)
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case "BucketNotEmpty":
		return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf(
			"the bucket %q of %s is not empty: remove its objects first (and their versions, if versioning is on): %w", d.bucket, d.base.Host, err))
	case "NoSuchBucket":
		return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("the bucket %q of %s does not exist: %w", d.bucket, d.base.Host, err))
	}
	return backend.NewError(removeOp, "", kindOf(err), fmt.Errorf("removing the bucket %q of %s: %w", d.bucket, d.base.Host, err))
}

// removeErr gives a configuration error of New (Op "open") the Op of a
// removal, keeping its kind and cause.
func removeErr(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Op != removeOp {
		return backend.NewError(removeOp, be.Key, be.Kind, be.Err)
	}
	return err
}
