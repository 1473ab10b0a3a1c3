package s3core

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/objstore-dev/objstore/backend"
)

// Buckets are the requests of an adapter on its driver's bucket, one S3
// request each, returning the SDK's error as it is (for AnswerOf, Kind
// and Err, as Reader's).
type Buckets interface {
	// BucketExists sends a HeadBucket: false, and no error, when the
	// bucket does not exist.
	BucketExists(ctx context.Context) (bool, error)
	// CreateBucket sends a CreateBucket, with the driver's region as the
	// location constraint unless it is us-east-1 (which S3 refuses there).
	CreateBucket(ctx context.Context) error
	DeleteBucket(ctx context.Context) error
	// GetLifecycle sends a GetBucketLifecycleConfiguration; PutLifecycle
	// a PutBucketLifecycleConfiguration, or a DeleteBucketLifecycle when
	// there are no rules (S3 refuses an empty configuration).
	GetLifecycle(ctx context.Context) ([]Rule, error)
	PutLifecycle(ctx context.Context, rules []Rule) error
	AnswerOf(err error) Answer
	Kind(err error) error
	Err(op, key string, err error) error
}

// EnsureBucket creates the bucket of a unless it exists (the drivers'
// Config.CreateBucket): a HeadBucket, then a CreateBucket if needed. A
// bucket these credentials can use is fine, whoever created it (also a
// concurrent open that won the race); a name another account holds is
// ErrPermission.
func EnsureBucket(ctx context.Context, a Buckets, bucket string) error {
	const op = "create-bucket"
	ok, err := a.BucketExists(ctx)
	if err == nil && !ok {
		err = a.CreateBucket(ctx)
	}
	switch a.AnswerOf(err).Code {
	case "": // no answer: a success, or a failure on the way
	case "BucketAlreadyOwnedByYou":
		return nil // created meanwhile by another client of ours
	case "BucketAlreadyExists":
		// S3 says so of another account's bucket, MinIO of any bucket
		// that exists (ours too, created meanwhile).
		if ok, xerr := a.BucketExists(ctx); xerr == nil && ok {
			return nil
		}
		return backend.NewError(op, bucket, backend.ErrPermission, fmt.Errorf("the bucket name is taken by another account: %w", err))
	}
	if err != nil {
		return a.Err(op, bucket, err)
	}
	return nil
}

// RemoveOp is the Op of the errors of a bucket removal (backend.Remover's).
const RemoveOp = "remove-store"

// RemoveBucket removes the bucket of a, which must be empty, with one
// DeleteBucket; where names the server in errors. S3 refuses to remove a
// bucket that holds objects or object versions (BucketNotEmpty): that is
// ErrExist, and nothing is removed. A bucket that does not exist is
// ErrNotFound; one of another account, ErrPermission.
func RemoveBucket(ctx context.Context, a Buckets, bucket, where string) error {
	err := a.DeleteBucket(ctx)
	switch {
	case err == nil:
		return nil
	case a.AnswerOf(err).Code == "BucketNotEmpty":
		return backend.NewError(RemoveOp, "", backend.ErrExist, fmt.Errorf(
			"the bucket %q at %s is not empty: remove its objects first (and their versions, if versioning is on): %w", bucket, where, err))
	case a.Kind(err) == backend.ErrNotFound:
		return backend.NewError(RemoveOp, "", backend.ErrNotFound, fmt.Errorf("the bucket %q at %s does not exist: %w", bucket, where, err))
	}
	return backend.NewError(RemoveOp, "", a.Kind(err), fmt.Errorf("removing the bucket %q at %s: %w", bucket, where, err)).
		WithRetryAfter(a.AnswerOf(err).Header)
}

// RemoveErr gives an error of a removal that is not the removal's own (a
// configuration error, Op "open") the Op RemoveOp, keeping its kind and
// cause.
func RemoveErr(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Op != RemoveOp {
		return backend.NewError(RemoveOp, be.Key, be.Kind, be.Err)
	}
	return err
}

// Remover is the backend.Remover of a driver's scheme: the Config parse
// makes of the URL, removed by remove, every error named RemoveOp.
func Remover[C any](parse func(*url.URL) (C, error), remove func(context.Context, C) error) backend.Remover {
	return func(ctx context.Context, u *url.URL) error {
		cfg, err := parse(u)
		if err == nil {
			err = remove(ctx, cfg)
		}
		return RemoveErr(err)
	}
}
