package s3

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

func init() { backend.RegisterRemover("s3", s3core.Remover(ParseURL, RemoveBucket)) }

// RemoveBucket removes cfg's bucket, which must be empty, with one
// DeleteBucket request (no retries); it is the s3:// remover of
// backend.RemoveStore and objstore.RemoveStore. cfg.CreateBucket is
// ignored.
//
// S3 refuses to remove a bucket that holds objects or object versions:
// that is ErrExist, and nothing is removed; remove the objects first
// (objstore's Client.RemoveObjects(ctx, "")). A bucket that does not
// exist is ErrNotFound; one of another account, ErrPermission
// (s3core.RemoveBucket).
func RemoveBucket(ctx context.Context, cfg Config) error {
	cfg.CreateBucket = false
	d, err := NewDriver(ctx, cfg)
	if err != nil {
		return s3core.RemoveErr(err)
	}
	defer d.Close()
	return s3core.RemoveBucket(ctx, uploader{d}, d.bucket, d.endpointName())
}
