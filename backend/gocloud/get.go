package gocloud

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/sameversion"
)

// Get on Azure without preconditions is one request (getAzure). Otherwise
// it reads the attributes (metadata, size, ETag), then opens the range,
// and returns them only when both belong to the same version, so that the
// info always describes the bytes. On Azure the read carries If-Match with
// the ETag of the attributes, so the service itself refuses another
// version (412); on GCS (gcsblob) it reads the generation of the
// attributes; on other drivers the reader's size and modification time
// must equal the attributes'. When the object was replaced in between,
// sameversion.Get starts another round.
//
// Preconditions (GetOptions.IfMatch, IfNoneMatch, IfModifiedSince) are
// evaluated on the attributes, with no body transferred when one fails.
// They hold for the bytes only where the read is pinned to the version of
// the attributes, which is on Azure (If-Match): on other gocloud drivers
// a Get with preconditions that must read bytes is ErrNotSupported.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return sameversion.Get(ctx, &b.guard, key, opts, b.getVersion)
}

// getVersion is one round of Get (a sameversion.Round).
func (b *Backend) getVersion(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, bool, error) {
	if _, azure := azureContainer(b.bucket); azure && !opts.HasConditions() {
		if rc, info, ok, err := b.getAzure(ctx, key, opts); ok {
			return rc, info, err == nil, err
		}
	}
	name := b.opts.keys.Encode(key)
	attrs, err := b.bucket.Attributes(ctx, name)
	if err != nil {
		return nil, backend.ObjectInfo{}, false, wrap("get", key, err)
	}
	info := infoOf(key, attrs)
	if err := backend.CheckConditions("get", key, info, opts); err != nil {
		return nil, backend.ObjectInfo{}, false, err
	}
	off, n, err := backend.ResolveRange(key, attrs.Size, opts)
	if err != nil {
		return nil, backend.ObjectInfo{}, false, err
	}
	if n == 0 {
		return io.NopCloser(strings.NewReader("")), info, true, nil
	}
	unpinned, generation := false, false
	pin := ifMatch(attrs.ETag)
	rctx, stored := storedBytes(ctx, attrs.ContentEncoding)
	r, err := b.bucket.NewRangeReader(rctx, name, off, n, &blob.ReaderOptions{BeforeRead: func(as func(any) bool) error {
		var az *azblob.DownloadStreamOptions
		if opts.HasConditions() && !as(&az) {
			unpinned = true
			return errUnpinned
		}
		if err := stored(as); err != nil {
			return err
		}
		generation = pinGeneration(as, attrs)
		return pin(as)
	}})
	if unpinned {
		if r != nil {
			r.Close()
		}
		return nil, backend.ObjectInfo{}, false, backend.NewError("get", key, backend.ErrNotSupported, errUnpinned)
	}
	if isCode(err, gcerrors.FailedPrecondition) || isCode(err, gcerrors.NotFound) || httpStatus(err) == http.StatusRequestedRangeNotSatisfiable {
		return nil, backend.ObjectInfo{}, false, nil
	}
	if err != nil {
		return nil, backend.ObjectInfo{}, false, wrap("get", key, err)
	}
	if r.Size() != attrs.Size || !generation && !r.ModTime().Equal(attrs.ModTime) && !r.ModTime().IsZero() {
		r.Close()
		return nil, backend.ObjectInfo{}, false, nil
	}
	// ExactRange reads r to its end after the last byte of the range, so
	// that a driver's end-of-body checks run and extra bytes are noticed.
	return backend.ExactRange(key, r, n, classify), info, true, nil
}

// pinGeneration makes a read of gocloud's gcsblob read the generation that
// attrs describe, so that GCS answers 404 (another round) rather than
// serve another version, and reports whether it did. The modification
// times cannot tell versions apart there: an XML read's Last-Modified has
// whole seconds, the attributes' Updated does not.
func pinGeneration(as func(any) bool, attrs *blob.Attributes) bool {
	var oa storage.ObjectAttrs
	var obj **storage.ObjectHandle
	if !attrs.As(&oa) || oa.Generation == 0 || !as(&obj) {
		return false
	}
	*obj = (*obj).Generation(oa.Generation)
	return true
}

// errUnpinned: a conditional read on a gocloud driver that cannot pin the
// read to the version the conditions were evaluated on.
var errUnpinned = errors.New("preconditions: gocloud pins reads to a version on Azure only")

// ifMatch makes an Azure read carry If-Match with etag, so that the
// service refuses (412) to serve another version than the attributes
// describe; on other drivers it does nothing.
func ifMatch(etag string) func(as func(any) bool) error {
	return func(as func(any) bool) error {
		var az *azblob.DownloadStreamOptions
		if !as(&az) || etag == "" {
			return nil
		}
		if az.AccessConditions == nil {
			az.AccessConditions = &azblobblob.AccessConditions{}
		}
		if az.AccessConditions.ModifiedAccessConditions == nil {
			az.AccessConditions.ModifiedAccessConditions = &azblobblob.ModifiedAccessConditions{}
		}
		tag := azcore.ETag(etag)
		az.AccessConditions.ModifiedAccessConditions.IfMatch = &tag
		return nil
	}
}

// Stat returns the attributes of the object.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := b.guard.Key(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	attrs, err := b.bucket.Attributes(ctx, b.opts.keys.Encode(key))
	if err != nil {
		return backend.ObjectInfo{}, wrap("stat", key, err)
	}
	return infoOf(key, attrs), nil
}
