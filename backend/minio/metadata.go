package minio

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/objstore-dev/objstore/backend"
)

// User metadata travels in x-amz-meta-* headers. Header values cannot
// carry every UTF-8 string reliably, so a value is sent as it is only when
// it is printable ASCII and does not contain "=?"; any other value is sent
// as one RFC 2047 encoded word, "=?UTF-8?B?<base64 of the value>?=". On
// the way back every value that contains "=?" is decoded as RFC 2047
// (which also undoes the encoding MinIO itself applies when it returns a
// raw UTF-8 value that another client stored). Because every value we
// write that contains "=?" is encoded, a value that merely looks like an
// encoded word round-trips unchanged.

// metaPrefix is the header prefix of user metadata.
const metaPrefix = "X-Amz-Meta-"

// maxUserMetadata is MinIO's limit on user metadata in a request: the sum
// of the lengths of the x-amz-meta-* header names and their values.
const maxUserMetadata = 2048

// encodedWordPrefix and encodedWordSuffix frame the encoded form.
const (
	encodedWordPrefix = "=?UTF-8?B?"
	encodedWordSuffix = "?="
)

// encodeMetadata returns the user metadata as minio-go user metadata keys
// (with the x-amz-meta- prefix, so that no key is taken for a standard
// header) and header-safe values. It fails, before any I/O, when the
// headers would exceed MinIO's limit.
func encodeMetadata(key string, md map[string]string) (map[string]string, error) {
	if len(md) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(md))
	size := 0
	for k, v := range md {
		name := metaPrefix + k
		ev := encodeValue(v)
		out[strings.ToLower(name)] = ev
		size += len(name) + len(ev)
	}
	if size > maxUserMetadata {
		return nil, backend.NewError("put", key, backend.ErrInvalidArgument, fmt.Errorf(
			"metadata takes %d bytes as MinIO counts it (each key with its %q prefix, plus its value, non-ASCII values base64-encoded), more than MinIO's limit of %d",
			size, strings.ToLower(metaPrefix), maxUserMetadata))
	}
	return out, nil
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
	return encodedWordPrefix + base64.StdEncoding.EncodeToString([]byte(v)) + encodedWordSuffix
}

// decodeValue undoes encodeValue, and MinIO's own RFC 2047 encoding of
// values stored raw by other clients. A value that does not decode is
// returned as it is.
func decodeValue(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	if strings.HasPrefix(v, encodedWordPrefix) && strings.HasSuffix(v, encodedWordSuffix) && len(v) >= len(encodedWordPrefix)+len(encodedWordSuffix) {
		b, err := base64.StdEncoding.DecodeString(v[len(encodedWordPrefix) : len(v)-len(encodedWordSuffix)])
		if err == nil && utf8.Valid(b) {
			return string(b)
		}
	}
	var dec mime.WordDecoder
	if d, err := dec.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// metadataFromHeader extracts the user metadata of an object from the
// headers of a HEAD or GET answer: keys lower-cased without the prefix,
// values decoded. No user metadata gives nil, as NormalizeMetadata does.
func metadataFromHeader(h http.Header) map[string]string {
	var md map[string]string
	for name, vv := range h {
		if len(name) <= len(metaPrefix) || !strings.EqualFold(name[:len(metaPrefix)], metaPrefix) || len(vv) == 0 {
			continue
		}
		if md == nil {
			md = map[string]string{}
		}
		md[strings.ToLower(name[len(metaPrefix):])] = decodeValue(vv[0])
	}
	return md
}
