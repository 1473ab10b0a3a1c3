package s3core

import (
	"encoding/base64"
	"mime"
	"strings"
	"unicode/utf8"
)

// User metadata (x-amz-meta-*).
//
// HTTP header values are ASCII in practice: servers and proxies drop,
// mangle or reject other bytes, and AWS S3 itself returns non-ASCII
// metadata as RFC 2047 encoded words. backend.NormalizeMetadata allows any
// printable UTF-8 value, so a value is sent
//
//   - as it is, when it is printable ASCII (0x20-0x7e) and does not contain
//     "=?" (the opening of an RFC 2047 encoded word);
//   - otherwise as one RFC 2047 "B" encoded word of its UTF-8 bytes:
//     "=?UTF-8?B?" + base64(value) + "?=".
//
// Decoding is the inverse and is unambiguous: a value sent as it is never
// contains "=?", so every value that contains "=?" was encoded. Values
// written by other tools as RFC 2047 words (Q encoding, several words,
// text around them, other charsets that Go's mime package knows; MinIO
// returns raw UTF-8 values that way) are decoded too; a value that
// contains "=?" but does not decode is returned unchanged.
//
// The encoding makes a value longer (4/3 of its bytes plus 12), which
// counts against the servers' metadata size limits (MinIO: 2 KiB of
// header names, "x-amz-meta-" included, and values as sent).

const (
	wordPrefix = "=?UTF-8?B?"
	wordSuffix = "?="
)

// EncodeMetadata returns the header values to send for the metadata md
// (as normalised by backend.NormalizeMetadata): keys unchanged, values
// encoded by EncodeValue. A nil or empty map gives nil.
func EncodeMetadata(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for k, v := range md {
		out[k] = EncodeValue(v)
	}
	return out
}

// DecodeMetadata is the inverse of EncodeMetadata for the metadata a
// server returns: keys lower-cased, values decoded by DecodeValue. An
// empty map gives nil.
func DecodeMetadata(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = DecodeValue(v)
	}
	return out
}

// EncodeValue returns v as it must be sent in a header: unchanged when it
// is printable ASCII without "=?", else one RFC 2047 B-encoded word.
func EncodeValue(v string) string {
	if !needsEncoding(v) {
		return v
	}
	return wordPrefix + base64.StdEncoding.EncodeToString([]byte(v)) + wordSuffix
}

// DecodeValue returns the value that EncodeValue encoded as h. A value
// without "=?" is returned unchanged, and so is one that is not valid
// RFC 2047.
func DecodeValue(h string) string {
	if !strings.Contains(h, "=?") {
		return h
	}
	// Our own form, decoded exactly (also when it is longer than the 75
	// characters RFC 2047 allows a word, which mime.WordDecoder accepts
	// too, but this keeps the round trip independent of its leniency).
	if len(h) >= len(wordPrefix)+len(wordSuffix) &&
		strings.EqualFold(h[:len(wordPrefix)], wordPrefix) && strings.HasSuffix(h, wordSuffix) {
		b, err := base64.StdEncoding.DecodeString(h[len(wordPrefix) : len(h)-len(wordSuffix)])
		if err == nil && utf8.Valid(b) {
			return string(b)
		}
		// Several words ("=?UTF-8?B?..?= =?UTF-8?B?..?="): below.
	}
	var dec mime.WordDecoder
	s, err := dec.DecodeHeader(h)
	if err != nil || !utf8.ValidString(s) {
		return h
	}
	return s
}

func needsEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return true
		}
	}
	return strings.Contains(v, "=?")
}
