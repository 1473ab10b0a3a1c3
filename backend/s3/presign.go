package s3

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/backend"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = 7 * 24 * time.Hour

// Presign returns a URL that lets its holder make one GET, HEAD, PUT or
// DELETE request on the object at key, with no credentials, until expiry
// (1 second to 7 days) passes. The URL carries the access key id and a
// SigV4 signature, never the secret key. With opts.ContentType, a PUT
// must send exactly that Content-Type (the header is signed). A PUT
// through the URL is a plain PutObject: no metadata, at most 5 GiB.
// Signing is local: it makes no request, and the key need not exist.
//
// URLs signed with temporary credentials (a session token) end when the
// credentials do, even before expiry.
func (d *Driver) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if err := backend.CheckPresign(method, key, expiry, MaxPresignExpiry, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := d.check(ctx, op, key); err != nil {
		return "", err
	}
	bucket, k := aws.String(d.bucket), aws.String(key)
	exp := s3.WithPresignExpires(expiry)
	var (
		req *v4.PresignedHTTPRequest
		err error
	)
	switch method {
	case http.MethodGet:
		req, err = d.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: k}, exp)
	case http.MethodHead:
		req, err = d.presign.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: k}, exp)
	case http.MethodPut:
		in := &s3.PutObjectInput{Bucket: bucket, Key: k}
		if opts.ContentType != "" {
			in.ContentType = aws.String(opts.ContentType)
		}
		req, err = d.presign.PresignPutObject(ctx, in, exp)
	case http.MethodDelete:
		req, err = d.presign.PresignDeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: k}, exp)
	}
	if err != nil {
		return "", wrapErr(op, key, err)
	}
	return req.URL, nil
}
