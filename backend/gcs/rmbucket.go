package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
)

func init() {
	backend.RegisterRemover(Scheme, func(ctx context.Context, u *url.URL) error {
		cfg, err := ConfigFromURL(u)
		if err != nil {
			return removeErr(err)
		}
		return RemoveBucket(ctx, cfg)
	})
}

// removeOp is the Op of RemoveBucket's errors (backend.Remover's).
const removeOp = "remove-store"

// RemoveBucket removes cfg's bucket, which must be empty; it is the gs://
// remover of backend.RemoveStore and objstore.RemoveStore. It is no
// operation of the Backend, so no failover layer retries it: the storage
// library does, on transient failures, up to cfg.Retry.MaxAttempts
// attempts (default failover.DefaultMaxAttempts) within ctx.
// cfg.CreateBucket is ignored.
//
// GCS refuses to remove a bucket that holds objects (409 Conflict; 412
// from fake-gcs-server): that
// is ErrExist, and nothing is removed; remove the objects first
// (objstore's Client.RemoveObjects(ctx, "")). A bucket that does not exist
// is ErrNotFound. Removing a bucket needs the storage.buckets.delete
// permission, which object-only service accounts lack (ErrPermission).
func RemoveBucket(ctx context.Context, cfg Config) error {
	cfg.CreateBucket = false
	if err := cfg.Retry.Validate(); err != nil {
		return removeErr(err)
	}
	b, err := NewDriver(ctx, cfg)
	if err != nil {
		return removeErr(err)
	}
	defer b.Close()
	attempts := cfg.Retry.MaxAttempts
	if attempts == 0 {
		attempts = failover.DefaultMaxAttempts
	}
	// A deletion of the bucket is idempotent: the library's default
	// policy retries it.
	err = b.client.Bucket(b.name).Retryer(storage.WithMaxAttempts(attempts)).Delete(ctx)
	var gerr *googleapi.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &gerr) && (gerr.Code == http.StatusConflict || gerr.Code == http.StatusPreconditionFailed):
		// GCS answers 409; fake-gcs-server 412 "bucket must be empty".
		// The request carries no precondition, so either means objects.
		return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf(
			"gcs: the bucket %q is not empty: remove its objects first (and their noncurrent versions, if versioning is on): %w", b.name, err))
	case errors.Is(err, storage.ErrBucketNotExist) || classify(err) == backend.ErrNotFound:
		return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("gcs: the bucket %q does not exist: %w", b.name, err))
	}
	return backend.NewError(removeOp, "", classify(err), fmt.Errorf("gcs: removing the bucket %q: %w", b.name, err))
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
