package gocloud

import (
	"context"
	"crypto/md5"
	"maps"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
)

// The HTTP attributes travel as gocloud's own fields both ways
// (WriterOptions.CacheControl, ... on writes, Attributes.CacheControl, ...
// on reads): Azure keeps them as the blob's properties and serves them as
// headers; memblob and fileblob keep them with the blob.
//
// The checksum is the MD5 gocloud reports (Attributes.MD5): Azure's
// Content-MD5 property, which Put sets as it commits the blob (put.go),
// and the MD5 that memblob and fileblob compute of every blob they write.
// A blob without one (written by another tool through a block list on
// Azure) has the zero Checksum.

// infoOf converts gocloud attributes. The ETag loses the quotes HTTP puts
// around it; empty metadata is nil, as NormalizeMetadata returns it.
func infoOf(key string, a *blob.Attributes) backend.ObjectInfo {
	info := backend.ObjectInfo{
		Key:          key,
		Size:         a.Size,
		LastModified: a.ModTime,
		ETag:         strings.Trim(a.ETag, `"`),
		ContentType:  a.ContentType,
		HTTPAttributes: backend.HTTPAttributes{
			CacheControl:       a.CacheControl,
			ContentDisposition: a.ContentDisposition,
			ContentEncoding:    a.ContentEncoding,
			ContentLanguage:    a.ContentLanguage,
		},
		Checksum: md5Checksum(a.MD5),
	}
	if len(a.Metadata) > 0 {
		info.Metadata = maps.Clone(a.Metadata)
	}
	return info
}

// md5Checksum is the Checksum of an MD5 digest, or the zero Checksum when
// sum is not one (absent).
func md5Checksum(sum []byte) backend.Checksum {
	if len(sum) != md5.Size {
		return backend.Checksum{}
	}
	return backend.Checksum{Algorithm: backend.MD5, Value: sum}
}

// storedBytes prepares a read of name so that it returns the bytes as
// stored, never decoded by their Content-Encoding, on the drivers that
// would decode them:
//
//   - Azure never transcodes, but Go's HTTP transport asks for gzip
//     itself on a request without Accept-Encoding and decompresses an
//     answer with Content-Encoding gzip (a blob stored with that
//     encoding). The read's context makes the SDK send
//     "Accept-Encoding: identity" (policy.WithHTTPHeader), which the
//     transport leaves alone. It is set on every read: the context is
//     only read by the Azure SDK.
//   - GCS (gcsblob) transcodes a gzip object unless the read sends
//     "Accept-Encoding: gzip": the BeforeRead hook makes the read
//     ReadCompressed when the object has a Content-Encoding.
func storedBytes(ctx context.Context, encoding string) (context.Context, func(as func(any) bool) error) {
	ctx = policy.WithHTTPHeader(ctx, http.Header{"Accept-Encoding": {"identity"}})
	return ctx, func(as func(any) bool) error {
		var obj **storage.ObjectHandle
		if encoding != "" && as(&obj) {
			*obj = (*obj).ReadCompressed(true)
		}
		return nil
	}
}
