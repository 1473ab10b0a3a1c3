package s3

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/backend"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = 7 * 24 * time.Hour

// PresignGet returns a URL that lets its holder GET the object at key,
// with no credentials, until expiry passes. Signing is local: it needs no
// request, and the key need not exist yet.
func (d *Driver) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := d.checkPresign(ctx, "presign-get", key, expiry); err != nil {
		return "", err
	}
	req, err := d.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return "", wrapErr("presign-get", key, err)
	}
	return req.URL, nil
}

// PresignPut returns a URL that lets its holder PUT the object at key
// (an HTTP PUT whose body is the object) until expiry passes. The upload
// is a plain PutObject: no metadata, the content type the holder sends,
// at most 5 GiB.
func (d *Driver) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := d.checkPresign(ctx, "presign-put", key, expiry); err != nil {
		return "", err
	}
	req, err := d.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return "", wrapErr("presign-put", key, err)
	}
	return req.URL, nil
}

func (d *Driver) checkPresign(ctx context.Context, op, key string, expiry time.Duration) error {
	if err := backend.ValidateKey(op, key); err != nil {
		return err
	}
	if err := d.check(op, key); err != nil {
		return err
	}
	if expiry <= 0 || expiry > MaxPresignExpiry {
		return backend.NewError(op, key, backend.ErrInvalidArgument,
			fmt.Errorf("expiry %v is outside (0, 7 days]", expiry))
	}
	if err := ctx.Err(); err != nil {
		return backend.NewError(op, key, nil, err)
	}
	return nil
}
