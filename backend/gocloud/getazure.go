package gocloud

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/objstore-dev/objstore/backend"
)

// getAzure is one round of an unconditional Get on Azure, in one request:
// a Get Blob answers with every attribute of the version it serves (the
// blob's properties and metadata as headers, its size in Content-Range),
// so the info describes the bytes by construction and no Get Blob
// Properties goes before it. ok is false when the round cannot be made
// this way (the range starts at or past the end, which Azure refuses with
// 416 and only the blob's size can judge; an empty range): the caller
// then makes the two-request round.
func (b *Backend) getAzure(ctx context.Context, key string, opts backend.GetOptions) (rc io.ReadCloser, info backend.ObjectInfo, ok bool, err error) {
	if opts.Length == 0 {
		return nil, backend.ObjectInfo{}, false, nil
	}
	rctx, _ := storedBytes(ctx, "")
	r, err := b.bucket.NewRangeReader(rctx, b.opts.keys.Encode(key), opts.Offset, opts.Length, nil)
	if httpStatus(err) == http.StatusRequestedRangeNotSatisfiable {
		return nil, backend.ObjectInfo{}, false, nil
	}
	if err != nil {
		return nil, backend.ObjectInfo{}, true, wrap("get", key, err)
	}
	var resp azblobblob.DownloadStreamResponse
	if !r.As(&resp) {
		r.Close()
		return nil, backend.ObjectInfo{}, false, nil
	}
	info = downloadInfo(key, r.Size(), r.ModTime(), &resp)
	_, n, err := backend.ResolveRange(key, info.Size, opts)
	if err != nil {
		r.Close()
		return nil, backend.ObjectInfo{}, true, err
	}
	return backend.ExactRange(key, r, n, classify), info, true, nil
}

// azureContainer returns the container of a gocloud azureblob bucket.
func azureContainer(bucket interface{ As(any) bool }) (*container.Client, bool) {
	var c *container.Client
	return c, bucket.As(&c)
}

// downloadInfo is the info of the blob a Get Blob answered with, the same
// as infoOf gives for the attributes of that version: the metadata
// decoded as gocloud decodes it (azureblob escapes keys that are not C#
// identifiers as "__0x<hex>__" and URL-escapes values; blob.Bucket
// lower-cases the keys), the MD5 of the
// whole blob (x-ms-blob-content-md5 on a ranged read, Content-MD5 on a
// whole one).
func downloadInfo(key string, size int64, modTime time.Time, resp *azblobblob.DownloadStreamResponse) backend.ObjectInfo {
	info := backend.ObjectInfo{
		Key:          key,
		Size:         size,
		LastModified: modTime,
		ContentType:  deref(resp.ContentType),
		HTTPAttributes: backend.HTTPAttributes{
			CacheControl:       deref(resp.CacheControl),
			ContentDisposition: deref(resp.ContentDisposition),
			ContentEncoding:    deref(resp.ContentEncoding),
			ContentLanguage:    deref(resp.ContentLanguage),
		},
	}
	if resp.ETag != nil {
		info.ETag = strings.Trim(string(*resp.ETag), `"`)
	}
	sum := resp.BlobContentMD5
	if len(sum) == 0 && resp.ContentRange == nil {
		sum = resp.ContentMD5
	}
	info.Checksum = md5Checksum(sum)
	if len(resp.Metadata) > 0 {
		md := make(map[string]string, len(resp.Metadata))
		for k, v := range resp.Metadata {
			if v != nil {
				md[strings.ToLower(hexUnescape(k))] = pathUnescape(*v)
			}
		}
		info.Metadata = md
	}
	return info
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
