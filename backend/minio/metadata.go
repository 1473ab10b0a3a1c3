package minio

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// User metadata travels in x-amz-meta-* headers. Header values cannot
// carry every UTF-8 string reliably, so a value is sent as it is only when
// it is printable ASCII without "=?"; any other value is sent as one RFC
// 2047 encoded word, "=?UTF-8?B?<base64 of the value>?=" (the encoding
// AWS S3 and MinIO themselves use for non-ASCII metadata, so other S3
// tools show such values decoded).
//
// Decoding is minio-go's: StatObject and GetObject decode every value
// that starts with "=?" (mime.WordDecoder), which undoes this encoding and
// the one MinIO applies when it returns a raw UTF-8 value that another
// client stored. Because every value written here that contains "=?" is
// encoded, a value that merely looks like an encoded word round-trips
// unchanged. The driver's tests pin this behaviour of minio-go.
//
// MinIO refuses requests whose user metadata headers (names with their
// "x-amz-meta-" prefix, plus values) exceed 2 KiB, while the backend
// contract allows 2 KiB of keys and values alone (backend.MaxMetadataSize,
// as AWS S3 counts). Metadata that does not fit MinIO's header budget is
// sent as x-amz-meta-* query parameters of the PUT (or of the initiation
// of a multipart upload) instead, signed like the rest of the request:
// MinIO reads user metadata from the query string too and does not count
// it against the header limit. Every value sent that way is encoded, so
// that no value contains a "." or ".." path segment, which MinIO refuses
// in query values.

// metaPrefix is the prefix of user metadata header and query names.
const metaPrefix = "x-amz-meta-"

// maxUserMetadata is MinIO's limit on the user metadata headers of a
// request: the sum of the lengths of the x-amz-meta-* names and values.
const maxUserMetadata = 2048

// encodedWordPrefix and encodedWordSuffix frame the encoded form.
const (
	encodedWordPrefix = "=?UTF-8?B?"
	encodedWordSuffix = "?="
)

// encodedMeta is user metadata as it is sent.
type encodedMeta struct {
	values  map[string]string // "x-amz-meta-<key>" → value safe for a header
	inQuery bool              // too large for MinIO's header budget: send as query parameters
}

// encodeMetadata prepares normalised user metadata for sending.
func encodeMetadata(md map[string]string) encodedMeta {
	if len(md) == 0 {
		return encodedMeta{}
	}
	em := encodedMeta{values: make(map[string]string, len(md))}
	size := 0
	for k, v := range md {
		ev := encodeValue(v)
		em.values[metaPrefix+k] = ev
		size += len(metaPrefix) + len(k) + len(ev)
	}
	if size > maxUserMetadata {
		em.inQuery = true
		for k, v := range md {
			em.values[metaPrefix+k] = encodeWord(v)
		}
	}
	return em
}

// needsEncoding reports whether v must travel encoded.
func needsEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return true
		}
	}
	return strings.Contains(v, "=?")
}

func encodeValue(v string) string {
	if !needsEncoding(v) {
		return v
	}
	return encodeWord(v)
}

// encodeWord encodes v as one RFC 2047 encoded word.
func encodeWord(v string) string {
	return encodedWordPrefix + base64.StdEncoding.EncodeToString([]byte(v)) + encodedWordSuffix
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
