package gocloud

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Presigner = (*Backend)(nil)

// Presign returns a URL that lets its holder make one GET, HEAD, PUT or
// DELETE request on the object at key, with no credentials, until expiry
// passes (at least a second), signed by the gocloud driver
// (blob.Bucket.SignedURL) of the bucket.
//
// On Azure (NewAzure, azblob://) the URL is the blob's URL with a service
// SAS signed with the account's shared key (AccountName and AccountKey,
// AZURE_STORAGE_KEY, or a connection string that has the key), with the
// permission the method needs: read for GET and HEAD, create and write
// for PUT, delete for DELETE. A SAS grants permissions, not a method: a
// read URL serves GET and HEAD alike. A PUT through the URL is Azure's Put
// Blob, which needs the header "x-ms-blob-type: BlockBlob" from the
// holder and takes at most 5000 MiB. The SAS starts at the moment of
// signing, so a server whose clock is behind refuses it until its clock
// gets there. Azure has no longest expiry for a shared-key SAS. A SAS
// cannot bind the request's Content-Type, so opts.ContentType is
// ErrNotSupported; so is a container client without the shared key (a SAS
// token, or Azure AD credentials), which cannot sign.
//
// On other gocloud drivers, GET, PUT and DELETE are what the driver's
// SignedURL supports (gcsblob and s3blob sign, memblob does not:
// ErrNotSupported), and HEAD is ErrNotSupported: a signature binds the
// method there, and gocloud signs no HEAD.
func (b *Backend) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if err := backend.CheckPresign(method, key, expiry, 0, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := b.guard.Ready(ctx, op, key); err != nil {
		return "", err
	}
	var az *container.Client
	isAzure := b.bucket.As(&az)
	sign := method
	if method == http.MethodHead {
		if !isAzure {
			return "", backend.NewError(op, key, backend.ErrNotSupported,
				errors.New("gocloud signs no HEAD requests; only Azure's read URLs serve them"))
		}
		sign = http.MethodGet // the read permission
	}
	if opts.ContentType != "" && isAzure {
		return "", backend.NewError(op, key, backend.ErrNotSupported,
			errors.New("an Azure SAS cannot bind the Content-Type of a PUT"))
	}
	u, err := b.bucket.SignedURL(ctx, b.opts.keys.Encode(key), &blob.SignedURLOptions{
		Expiry:      expiry,
		Method:      sign,
		ContentType: opts.ContentType,
	})
	if errors.Is(err, bloberror.MissingSharedKeyCredential) {
		return "", backend.NewError(op, key, backend.ErrNotSupported, err)
	}
	if err != nil {
		return "", wrap(op, key, err)
	}
	return u, nil
}
