package minio

import (
	"net/http"
	"strings"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// User metadata travels in x-amz-meta-* headers, each value encoded by
// internal/s3core (the encoding the S3 driver uses too, so an object
// written through one driver reads back identically through the other).
// Decoding is minio-go's: StatObject and GetObject decode every value that
// starts with "=?" (mime.WordDecoder), which undoes that encoding and the
// one MinIO applies when it returns a raw UTF-8 value that another client
// stored. The driver's tests pin this behaviour of minio-go.
//
// MinIO refuses requests whose user metadata headers (names with their
// "x-amz-meta-" prefix, plus values as sent) exceed 2 KiB. That is how
// backend.MaxMetadataSize counts, with this same encoding rule, so every
// map that backend.NormalizeMetadata accepts fits.

// metaPrefix is the prefix of user metadata header names.
const metaPrefix = "x-amz-meta-"

// encodeMetadata returns normalised user metadata as minio-go user
// metadata: names with the x-amz-meta- prefix (so that minio-go never takes
// a key such as "expires" for a standard header) and values safe for a
// header.
func encodeMetadata(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for k, v := range md {
		out[metaPrefix+k] = s3core.EncodeValue(v)
	}
	return out
}

// metadataFromHeader extracts the user metadata of an object from the
// metadata headers minio-go returns (values already decoded): keys
// lower-cased without the prefix. No user metadata gives nil, as
// NormalizeMetadata does.
func metadataFromHeader(h http.Header) map[string]string {
	var md map[string]string
	for name, vv := range h {
		if len(name) <= len(metaPrefix) || !strings.EqualFold(name[:len(metaPrefix)], metaPrefix) || len(vv) == 0 {
			continue
		}
		if md == nil {
			md = map[string]string{}
		}
		md[strings.ToLower(name[len(metaPrefix):])] = vv[0]
	}
	return md
}
