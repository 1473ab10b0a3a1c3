package minio

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

func init() { backend.RegisterRemover("minio", s3core.Remover(configFromURL, RemoveBucket)) }

// RemoveBucket removes cfg's bucket, which must be empty, through the
// first of its endpoints that answers (an endpoint that cannot be reached
// or is busy passes the turn to the next one, as the bucket creation of
// New does); it is the minio:// remover of backend.RemoveStore and
// objstore.RemoveStore. cfg.CreateBucket is ignored. Each endpoint gets
// one attempt, bounded by bucketTimeout.
//
// The server refuses to remove a bucket that holds objects (or versions
// of them): that is ErrExist, and nothing is removed; remove the objects
// first (objstore's Client.RemoveObjects(ctx, "")). A bucket that does not
// exist is ErrNotFound (s3core.RemoveBucket).
func RemoveBucket(ctx context.Context, cfg Config) error {
	cfg.CreateBucket = false
	s, err := newSettings(cfg)
	if err != nil {
		return s3core.RemoveErr(err)
	}
	_, eps, err := s.endpoints(ctx)
	if err != nil {
		return s3core.RemoveErr(err)
	}
	return s3core.RemoveErr(s.firstAnswering(ctx, eps, func(ctx context.Context, d *Driver) error {
		return s3core.RemoveBucket(ctx, uploader{d}, d.bucket, d.base.Host)
	}))
}
