package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.RegisterRemover("s3", func(ctx context.Context, u *url.URL) error {
		cfg, err := ParseURL(u)
		if err != nil {
			return removeErr(err)
		}
		return RemoveBucket(ctx, cfg)
	})
}

// removeOp is the Op of RemoveBucket's errors (backend.Remover's).
const removeOp = "remove-store"

// RemoveBucket removes cfg's bucket, which must be empty, with one
// DeleteBucket request (no retries); it is the s3:// remover of
// backend.RemoveStore and objstore.RemoveStore. cfg.CreateBucket is
// ignored.
//
// S3 refuses to remove a bucket that holds objects or object versions
// (BucketNotEmpty): that is ErrExist, and nothing is removed; remove the
// objects first (objstore's Client.RemoveObjects(ctx, "")). A bucket that
// does not exist is ErrNotFound; one of another account, ErrPermission.
func RemoveBucket(ctx context.Context, cfg Config) error {
	cfg.CreateBucket = false
	d, err := NewDriver(ctx, cfg)
	if err != nil {
		return removeErr(err)
	}
	defer d.Close()
	_, err = d.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(d.bucket)}, d.callOpts...)
	if err == nil {
		return nil
	}
	switch {
	case answerOf(err).Code == "BucketNotEmpty":
		return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf(
			"the bucket %q at %s is not empty: remove its objects first (and their versions, if versioning is on): %w", d.bucket, d.endpointName(), err))
	case kindOf(err) == backend.ErrNotFound:
		return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("the bucket %q at %s does not exist: %w", d.bucket, d.endpointName(), err))
	}
	return backend.NewError(removeOp, "", kindOf(err), fmt.Errorf("removing the bucket %q at %s: %w", d.bucket, d.endpointName(), err))
}

// removeErr gives a configuration error (Op "open") the Op of a removal,
// keeping its kind and cause.
func removeErr(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Op != removeOp {
		return backend.NewError(removeOp, be.Key, be.Kind, be.Err)
	}
	return err
}
