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
// "x-amz-meta-" prefix, plus values as sent) exceed 2 KiB. That is how
// backend.MaxMetadataSize counts, with this same encoding rule, so every
// map that backend.NormalizeMetadata accepts fits.

// metaPrefix is the prefix of user metadata header names.
const metaPrefix = "x-amz-meta-"

// encodedWordPrefix and encodedWordSuffix frame the encoded form.
const (
	encodedWordPrefix = "=?UTF-8?B?"
	encodedWordSuffix = "?="
)

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
		out[metaPrefix+k] = encodeValue(v)
	}
	return out
}

// needsEncoding reports whether v must travel encoded; it is the rule
// backend.MetadataSize counts with.
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
