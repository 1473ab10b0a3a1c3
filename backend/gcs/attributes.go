package gcs

import (
	"encoding/binary"
	"errors"
	"maps"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
)

// GCS keeps the four HTTP attributes as fields of the object resource
// (cacheControl, contentDisposition, contentEncoding, contentLanguage),
// serves them as the headers of that name, and computes a CRC32C of every
// object it stores (uploads, rewrites and composes alike), which it keeps
// with the object. The driver reports that CRC32C as the object's
// Checksum; it never computes one of its own for an object.

// setHTTPAttributes copies a into the attributes of a write.
func setHTTPAttributes(dst *storage.ObjectAttrs, a backend.HTTPAttributes) {
	dst.CacheControl = a.CacheControl
	dst.ContentDisposition = a.ContentDisposition
	dst.ContentEncoding = a.ContentEncoding
	dst.ContentLanguage = a.ContentLanguage
}

// httpAttributesOf returns the HTTP attributes of an object.
func httpAttributesOf(a *storage.ObjectAttrs) backend.HTTPAttributes {
	return backend.HTTPAttributes{
		CacheControl:       a.CacheControl,
		ContentDisposition: a.ContentDisposition,
		ContentEncoding:    a.ContentEncoding,
		ContentLanguage:    a.ContentLanguage,
	}
}

// checksumOf returns the CRC32C GCS keeps with the object. The storage
// library decodes a missing crc32c field as 0, which is also the CRC32C of
// the empty object: a 0 is taken as the checksum only for an empty object.
// A non-empty object whose CRC32C really is 0 (one in 2^32) is then
// reported without a checksum and read unverified; never the reverse, a
// checksum the store does not have.
func checksumOf(a *storage.ObjectAttrs) backend.Checksum {
	if a.CRC32C == 0 && a.Size != 0 {
		return backend.Checksum{}
	}
	return backend.Checksum{Algorithm: backend.CRC32C, Value: binary.BigEndian.AppendUint32(nil, a.CRC32C)}
}

// infoOf converts object attributes to an ObjectInfo. Empty metadata is
// nil, as NormalizeMetadata returns it, so that it round-trips exactly.
func infoOf(a *storage.ObjectAttrs) backend.ObjectInfo {
	if a == nil {
		return backend.ObjectInfo{}
	}
	info := backend.ObjectInfo{
		Key:            a.Name,
		Size:           a.Size,
		LastModified:   a.Updated,
		ETag:           a.Etag,
		ContentType:    a.ContentType,
		HTTPAttributes: httpAttributesOf(a),
		Checksum:       checksumOf(a),
	}
	if len(a.Metadata) > 0 {
		info.Metadata = maps.Clone(a.Metadata)
	}
	return info
}

// isChecksumRefusal reports whether err is GCS refusing an upload whose
// declared checksum (the CRC32C the storage library computes and sends
// with every upload) does not match the bytes it received: HTTP 400 with
// "Provided CRC32C ... doesn't match calculated CRC32C ..." (the words of
// GCS and of fake-gcs-server alike).
func isChecksumRefusal(err error) bool {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(gerr.Message + " " + gerr.Body)
	return (strings.Contains(msg, "crc32c") || strings.Contains(msg, "md5")) && strings.Contains(msg, "match")
}

// badCRCOnRead is the start of the error the storage library returns
// (a plain fmt.Errorf, nothing to match but its text) when the CRC32C of
// a whole-object read differs from the X-Goog-Hash the server sent.
const badCRCOnRead = "storage: bad CRC on read"

// classifyRead is the classification of the errors of a reader's body:
// the library's own CRC32C mismatch is ErrCorrupt, the rest as classify.
func classifyRead(err error) error {
	if err != nil && strings.Contains(err.Error(), badCRCOnRead) {
		return backend.ErrCorrupt
	}
	return classify(err)
}
