package minio

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = 7 * 24 * time.Hour

// PresignGet returns a URL that lets its holder GET the object at key
// without credentials until expiry (1 second to 7 days). The URL names
// the endpoint of this driver and carries the access key id and a
// signature, never the secret key. Signing needs no request: the object
// need not exist yet.
func (d *Driver) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	return d.presign(ctx, "presign-get", key, expiry, func() (*url.URL, error) {
		return d.client.PresignedGetObject(ctx, d.bucket, key, expiry, nil)
	})
}

// PresignPut returns a URL that lets its holder PUT the object at key
// (replacing any object there) without credentials until expiry.
func (d *Driver) PresignPut(ctx context.Context, key string, expiry time.Duration) (string, error) {
	return d.presign(ctx, "presign-put", key, expiry, func() (*url.URL, error) {
		return d.client.PresignedPutObject(ctx, d.bucket, key, expiry)
	})
}

func (d *Driver) presign(ctx context.Context, op, key string, expiry time.Duration, sign func() (*url.URL, error)) (string, error) {
	if err := backend.ValidateKey(op, key); err != nil {
		return "", err
	}
	if err := d.check(ctx, op, key); err != nil {
		return "", err
	}
	if expiry < time.Second || expiry > MaxPresignExpiry {
		return "", backend.NewError(op, key, backend.ErrInvalidArgument,
			fmt.Errorf("expiry %v is outside [1s, %v]", expiry, MaxPresignExpiry))
	}
	if d.creds.AccessKeyID == "" {
		return "", backend.NewError(op, key, backend.ErrNotSupported, fmt.Errorf("presigned URLs need credentials; this driver is anonymous"))
	}
	u, err := sign()
	if err != nil {
		return "", d.err(op, key, err)
	}
	return u.String(), nil
}
