package gocloud

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/objstore-dev/objstore/backend"
)

// defaultBlockSize is gocloud azureblob's block size when the driver
// sets none: the buffer its UploadStream fills for every put.
const defaultBlockSize = 8 << 20

// putAzure stores a blob of known size up to one block (the buffer
// gocloud's UploadStream would fill anyway) with one Put Blob: the bytes
// are read into a buffer of their size, their MD5 goes with them twice,
// as the blob's Content-MD5 and as the request's transactional MD5, so
// that Azure refuses a body damaged on the way (ErrCorrupt) and commits
// nothing. It writes what gocloud's writer writes (the same blob name and
// metadata escaping, the same headers), without its pipe, its goroutine
// and its block-sized buffer per put; and its answer gives the ETag and
// the modification time.
func (b *Backend) putAzure(ctx context.Context, c *container.Client, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	buf := make([]byte, opts.Size)
	src := backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size))
	_, err := io.ReadFull(src, buf)
	if err == nil {
		// The source must end here: ExactReader fails a read past the
		// declared size.
		var one [1]byte
		if n, rerr := src.Read(one[:]); rerr != io.EOF {
			err = rerr
			if n > 0 || rerr == nil {
				err = backend.NewError("put", key, backend.ErrInvalidArgument,
					fmt.Errorf("the reader has more bytes than the declared size %d", opts.Size))
			}
		}
	}
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	sum := md5.Sum(buf)
	md := make(map[string]*string, len(opts.Metadata))
	for k, v := range opts.Metadata {
		escaped := pathEscape(v)
		md[hexEscape(k, metadataKeyRune)] = &escaped
	}
	contentType := opts.ContentType
	upload := &blockblob.UploadOptions{
		Metadata: md,
		HTTPHeaders: &azblobblob.HTTPHeaders{
			BlobCacheControl:       &opts.CacheControl,
			BlobContentDisposition: &opts.ContentDisposition,
			BlobContentEncoding:    &opts.ContentEncoding,
			BlobContentLanguage:    &opts.ContentLanguage,
			BlobContentType:        &contentType,
			BlobContentMD5:         sum[:],
		},
		TransactionalValidation: azblobblob.TransferValidationTypeMD5(sum[:]),
	}
	switch {
	case opts.IfNotExist:
		any := azcore.ETagAny
		upload.AccessConditions = &azblobblob.AccessConditions{ModifiedAccessConditions: &azblobblob.ModifiedAccessConditions{IfNoneMatch: &any}}
	case opts.IfMatch != "":
		tag := azcore.ETag(backend.QuoteETag(opts.IfMatch))
		upload.AccessConditions = &azblobblob.AccessConditions{ModifiedAccessConditions: &azblobblob.ModifiedAccessConditions{IfMatch: &tag}}
	}
	name := hexEscape(b.opts.keys.Encode(key), blobNameRune)
	resp, err := c.NewBlockBlobClient(name).Upload(ctx, streaming.NopCloser(bytes.NewReader(buf)), upload)
	if err != nil {
		status := httpStatus(err)
		switch {
		case isMD5Refusal(err):
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrCorrupt, err)
		case opts.IfNotExist && (status == http.StatusConflict || status == http.StatusPreconditionFailed):
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrExist, err)
		case opts.IfMatch != "" && (status == http.StatusPreconditionFailed || status == http.StatusNotFound):
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed, fmt.Errorf("IfMatch %q: %w", opts.IfMatch, err))
		}
		return backend.ObjectInfo{}, putError(key, opts, err)
	}
	info := backend.ObjectInfo{
		Key:            key,
		Size:           opts.Size,
		ContentType:    opts.ContentType,
		Metadata:       opts.Metadata,
		HTTPAttributes: opts.HTTPAttributes,
		Checksum:       md5Checksum(sum[:]),
	}
	if resp.ETag != nil {
		info.ETag = strings.Trim(string(*resp.ETag), `"`)
	}
	if resp.LastModified != nil {
		info.LastModified = *resp.LastModified
	}
	return info, nil
}
