package minio

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = 7 * 24 * time.Hour

// Presign returns a URL that lets its holder make one GET, HEAD, PUT or
// DELETE request on the object at key, with no credentials, until expiry
// (1 second to 7 days) passes. The URL names the endpoint of this driver
// and carries the access key id and a SigV4 signature of the method, the
// path and the signed headers, never the secret key. With
// opts.ContentType, a PUT must send exactly that Content-Type (the header
// is signed). A PUT through the URL is a plain PutObject: no metadata, at
// most 5 GiB.
//
// Signing makes no request once the bucket's region is known (Config
// Region, or the first request of the driver): the object need not exist.
// An anonymous driver cannot sign: ErrNotSupported.
func (d *Driver) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if err := backend.CheckPresign(method, key, expiry, MaxPresignExpiry, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := d.check(ctx, op, key); err != nil {
		return "", err
	}
	if d.creds.AccessKeyID == "" {
		return "", backend.NewError(op, key, backend.ErrNotSupported, fmt.Errorf("presigned URLs need credentials; this driver is anonymous"))
	}
	var headers http.Header
	if opts.ContentType != "" {
		headers = http.Header{"Content-Type": {opts.ContentType}}
	}
	u, err := d.client.PresignHeader(ctx, method, d.bucket, key, expiry, nil, headers)
	if err != nil {
		return "", d.err(op, key, err)
	}
	return u.String(), nil
}
