package s3core

import (
	"net/http"

	"github.com/objstore-dev/objstore/backend"
)

// HTTP attributes travel as the standard headers of their name: sent with
// PutObject, CreateMultipartUpload and CopyObject with the REPLACE
// directive (a copy with COPY keeps the source's, and REPLACE without them
// clears them), and returned with HEAD and GET, presigned or not. S3
// servers keep the values as sent and never act on them: an object stored
// with Content-Encoding gzip is served as the stored bytes, and a client
// must not let its HTTP transport decompress them (Go's does when it asked
// for gzip itself; the drivers send Accept-Encoding: identity).

// Header names of the HTTP attributes.
const (
	HeaderCacheControl       = "Cache-Control"
	HeaderContentDisposition = "Content-Disposition"
	HeaderContentEncoding    = "Content-Encoding"
	HeaderContentLanguage    = "Content-Language"
)

// AttributesFromHeader returns the HTTP attributes in the headers of a
// HEAD or GET answer.
func AttributesFromHeader(h http.Header) backend.HTTPAttributes {
	return backend.HTTPAttributes{
		CacheControl:       h.Get(HeaderCacheControl),
		ContentDisposition: h.Get(HeaderContentDisposition),
		ContentEncoding:    h.Get(HeaderContentEncoding),
		ContentLanguage:    h.Get(HeaderContentLanguage),
	}
}
