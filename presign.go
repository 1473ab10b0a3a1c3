package objstore

import (
	"context"
	"net/http"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Presign returns a URL that lets its holder make one kind of request on
// the object name with a plain HTTP client and no credentials, until
// expiry passes: method is http.MethodGet (the bytes), MethodHead (the
// size and attributes), MethodPut (the request's body becomes the object)
// or MethodDelete. opts.ContentType binds the Content-Type a PUT must send.
//
// The backend signs it (backend.Presigner): minio and s3 with SigV4, gcs
// with GCS V4 signing, Azure with a SAS; each driver's docs say which
// credentials it signs with and what its URLs need from their holder
// (Azure: an x-ms-blob-type header on a PUT). A backend without the
// capability, or one that cannot sign as it was configured, returns
// ErrNotSupported. An expiry under a second, or longer than the store
// allows (S3 and GCS: 7 days), an unknown method, or a content type on
// anything but a PUT is ErrInvalidArgument.
//
// A PUT or DELETE URL for a key reserved for stream objects (a chunk or
// marker key) is refused with ErrInvalidArgument, as PutObject refuses
// such a key: its holder could break a stream. The URL is a bearer
// secret until it expires; objstore never logs it.
func (c *Client) Presign(ctx context.Context, method, name string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	// The arguments are checked here, before the capability is looked
	// for, so that a bad call fails alike on every backend; the driver
	// checks the expiry against its own limit.
	if err := backend.CheckPresign(method, name, expiry, 0, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if method == http.MethodPut || method == http.MethodDelete {
		if err := reservedKeyError(op, name); err != nil {
			return "", err
		}
	}
	p, ok := backend.As[backend.Presigner](c.b)
	if !ok {
		return "", notSupported(op, name, "presigned URLs")
	}
	return p.Presign(ctx, method, name, expiry, opts)
}

// PresignGet returns a URL that lets its holder GET the object name
// without credentials until expiry: Presign with http.MethodGet.
func (c *Client) PresignGet(ctx context.Context, name string, expiry time.Duration) (string, error) {
	return c.Presign(ctx, http.MethodGet, name, expiry, backend.PresignOptions{})
}

// PresignPut returns a URL that lets its holder PUT the object name, with
// any content type, without credentials until expiry: Presign with
// http.MethodPut.
func (c *Client) PresignPut(ctx context.Context, name string, expiry time.Duration) (string, error) {
	return c.Presign(ctx, http.MethodPut, name, expiry, backend.PresignOptions{})
}
