package s3

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = s3core.MaxPresignExpiry

// PresignURL signs with the SDK's presign client (s3core.Methods.Presign
// checks the arguments); signing is local, it makes no request. URLs
// signed with temporary credentials (a session token) end when the
// credentials do, even before expiry.
func (u uploader) PresignURL(ctx context.Context, op, method, key string, expiry time.Duration, contentType string) (string, error) {
	d := u.d
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
		if contentType != "" {
			in.ContentType = aws.String(contentType)
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
