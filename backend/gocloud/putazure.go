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

// maxPutBlob is the largest blob of known size that putAzure sends in one
// Put Blob from an io.ReaderAt (Azure takes up to 5,000 MiB; the SDK's
// own UploadBuffer stops at 256 MiB).
const maxPutBlob = 256 << 20

// putsInOneRequest reports whether putAzure takes a put: a known size up
// to one block (the buffer gocloud's UploadStream would fill anyway), or
// up to maxPutBlob from an io.ReaderAt that is read in place.
func putsInOneRequest(r io.Reader, size int64, blockSize int) bool {
	if size < 0 {
		return false
	}
	if size <= int64(blockSize) {
		return true
	}
	_, _, ok := readerAt(r)
	return ok && size <= maxPutBlob
}

// putAzure stores a blob of known size with one Put Blob (see
// putsInOneRequest): its MD5 goes with the bytes twice, as the blob's
// Content-MD5 and as the request's transactional MD5, so that Azure
// refuses a body damaged on the way or changed since it was hashed
// (ErrCorrupt) and commits nothing. It writes what gocloud's writer
// writes (the same blob name and metadata escaping, the same headers),
// without its pipe, its goroutine and its block-sized buffers; and its
// answer gives the ETag and the modification time.
func (b *Backend) putAzure(ctx context.Context, c *container.Client, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	body, sum, done, err := putBody(ctx, key, r, opts.Size)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
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
			BlobContentMD5:         sum,
		},
		TransactionalValidation: azblobblob.TransferValidationTypeMD5(sum),
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
	resp, err := c.NewBlockBlobClient(name).Upload(ctx, streaming.NopCloser(body), upload)
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
	done()
	info := backend.ObjectInfo{
		Key:            key,
		Size:           opts.Size,
		ContentType:    opts.ContentType,
		Metadata:       opts.Metadata,
		HTTPAttributes: opts.HTTPAttributes,
		Checksum:       md5Checksum(sum),
	}
	if resp.ETag != nil {
		info.ETag = strings.Trim(string(*resp.ETag), `"`)
	}
	if resp.LastModified != nil {
		info.LastModified = *resp.LastModified
	}
	return info, nil
}

// putBody returns the bytes of a put of known size as a seekable body
// (the SDK rewinds it) with their MD5, and done, which leaves the
// caller's reader after them once the put succeeded. An io.ReaderAt that
// can say where it stands (io.Seeker) is read in place, twice (the MD5,
// then the upload), with no copy; other readers are read once into a
// buffer of the size. Either way a reader with fewer or more bytes than
// the size is an error before anything is sent.
func putBody(ctx context.Context, key string, r io.Reader, size int64) (body io.ReadSeeker, sum []byte, done func(), err error) {
	if ra, pos, ok := readerAt(r); ok && size > 0 {
		h := md5.New()
		n, err := io.Copy(h, backend.ContextReader(ctx, io.NewSectionReader(ra, pos, size)))
		if err != nil {
			return nil, nil, nil, err
		}
		var one [1]byte
		if m, _ := ra.ReadAt(one[:], pos+size); n != size || m > 0 {
			return nil, nil, nil, backend.NewError("put", key, backend.ErrInvalidArgument,
				fmt.Errorf("the reader does not hold the declared size %d from offset %d", size, pos))
		}
		done = func() { _, _ = r.(io.Seeker).Seek(pos+size, io.SeekStart) }
		return io.NewSectionReader(ra, pos, size), h.Sum(nil), done, nil
	}
	buf := make([]byte, size)
	src := backend.ContextReader(ctx, backend.ExactReader(key, r, size))
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, nil, nil, err
	}
	// The source must end here: ExactReader fails a read past the size.
	var one [1]byte
	if n, err := src.Read(one[:]); err != io.EOF {
		if n > 0 || err == nil {
			err = backend.NewError("put", key, backend.ErrInvalidArgument,
				fmt.Errorf("the reader has more bytes than the declared size %d", size))
		}
		return nil, nil, nil, err
	}
	digest := md5.Sum(buf)
	return bytes.NewReader(buf), digest[:], func() {}, nil
}

// readerAt returns r as an io.ReaderAt and the offset it stands at, when
// r is also an io.Seeker that can tell it.
func readerAt(r io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	sk, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return nil, 0, false
	}
	pos, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false
	}
	return ra, pos, true
}
