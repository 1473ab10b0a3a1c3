package minio

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = s3core.MaxPresignExpiry

// PresignURL signs with minio-go (s3core.Methods.Presign checks the
// arguments). The URL names the endpoint of this driver. Signing makes no
// request once the bucket's region is known (Config Region, or the first
// request of the driver). An anonymous driver cannot sign:
// ErrNotSupported.
func (u uploader) PresignURL(ctx context.Context, op, method, key string, expiry time.Duration, contentType string) (string, error) {
	if u.d.creds.AccessKeyID == "" {
		return "", backend.NewError(op, key, backend.ErrNotSupported, fmt.Errorf("presigned URLs need credentials; this driver is anonymous"))
	}
	var headers http.Header
	if contentType != "" {
		headers = http.Header{"Content-Type": {contentType}}
	}
	url, err := u.d.client.PresignHeader(ctx, method, u.d.bucket, key, expiry, nil, headers)
	if err != nil {
		return "", u.d.err(op, key, err)
	}
	return url.String(), nil
}
