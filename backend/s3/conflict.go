package s3

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// What the driver knows of the server it talks to, from the Server header
// of its answers.
const (
	serverUnknown int32 = iota
	serverMinIO
	serverOther
)

// serverSniffer records the Server header of every answer in kind.
func serverSniffer(kind *atomic.Int32) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("objstoreServerKind",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Header.Get("Server") != "" {
					if strings.EqualFold(resp.Header.Get("Server"), "MinIO") {
						kind.Store(serverMinIO)
					} else {
						kind.Store(serverOther)
					}
				}
				return out, md, err
			}), middleware.After)
	}
}

// The key-conflict check (internal/s3core, conflict.go) runs on MinIO
// only, which stores both "a" and "a/b" but lists only "a" (and on the
// first put, before the server is known): AWS S3 lists both, versitygw
// and the fs driver refuse the second key with a conflict.

// checkKeyConflict returns an ErrExist error (of op) when key cannot be
// stored without hiding an object from listings.
func (d *Driver) checkKeyConflict(ctx context.Context, op, key string) error {
	if !(uploader{d}).CheckConflicts() {
		return nil
	}
	return s3core.CheckConflicts(ctx, uploader{d}, op, key)
}

func (u uploader) CheckConflicts() bool { return u.d.server.Load() != serverOther }

func (u uploader) Exists(ctx context.Context, key string) (bool, error) {
	_, err := u.d.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.d.bucket), Key: aws.String(key)}, u.d.callOpts...)
	switch {
	case err == nil:
		return true, nil
	case kindOf(err) == backend.ErrNotFound:
		return false, nil
	}
	return false, wrapErr("stat", key, err)
}
