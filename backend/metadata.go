package backend

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMetadataSize is the largest total size of user metadata, counted as
// the strictest store we support (MinIO) counts it on the wire: for each
// entry, len("x-amz-meta-") + len(key) + len(value as sent), where a value
// that is not printable ASCII, or contains "=?", is sent as one RFC 2047
// encoded word ("=?UTF-8?B?" + base64 + "?="). So every driver can store
// every map NormalizeMetadata accepts. MetadataSize computes it.
const MaxMetadataSize = 2048

// MetadataSize returns the size of md as MaxMetadataSize counts it.
func MetadataSize(md map[string]string) int {
	total := 0
	for k, v := range md {
		total += metadataEntrySize(k, v)
	}
	return total
}

func metadataEntrySize(k, v string) int {
	const headerPrefix = len("x-amz-meta-")
	n := len(v)
	if needsWordEncoding(v) {
		n = len("=?UTF-8?B?") + base64.StdEncoding.EncodedLen(len(v)) + len("?=")
	}
	return headerPrefix + len(k) + n
}

// needsWordEncoding reports whether an HTTP-based store must send v as an
// RFC 2047 encoded word.
func needsWordEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return true
		}
	}
	return strings.Contains(v, "=?")
}

// DefaultContentType is stored when a Put gives no content type.
const DefaultContentType = "application/octet-stream"

// NormalizeMetadata is the one metadata normalisation shared by every
// driver, so that metadata round-trips identically everywhere:
//
//   - keys are lower-cased; after that they must be 1 to 128 characters of
//     a-z, 0-9, '-' and '_', start with a letter, and be unique;
//   - values are valid UTF-8 (non-ASCII is fine), not empty, without
//     control characters and without leading or trailing spaces (which
//     HTTP-based stores would silently drop);
//   - the total size, counted as MaxMetadataSize says, is at most 2 KiB.
//
// A nil or empty map gives nil. Anything else that breaks a rule is an
// error with Kind ErrInvalidArgument; nothing is silently changed but the
// case of keys. Drivers that must encode values (HTTP headers) decode them
// again, so that Stat returns exactly the normalised map.
func NormalizeMetadata(op, key string, md map[string]string) (map[string]string, error) {
	if len(md) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(md))
	total := 0
	for k, v := range md {
		lk := strings.ToLower(k)
		if err := metadataKeyProblem(lk); err != nil {
			return nil, NewError(op, key, ErrInvalidArgument, fmt.Errorf("metadata key %q: %w", k, err))
		}
		if err := metadataValueProblem(v); err != nil {
			return nil, NewError(op, key, ErrInvalidArgument, fmt.Errorf("metadata %q value %q: %w", k, v, err))
		}
		if _, dup := out[lk]; dup {
			return nil, NewError(op, key, ErrInvalidArgument, fmt.Errorf("metadata key %q given twice (keys are case-insensitive)", lk))
		}
		out[lk] = v
		total += metadataEntrySize(lk, v)
	}
	if total > MaxMetadataSize {
		return nil, NewError(op, key, ErrInvalidArgument, fmt.Errorf("metadata is %d bytes, more than the limit of %d", total, MaxMetadataSize))
	}
	return out, nil
}

func metadataKeyProblem(k string) error {
	if k == "" || len(k) > 128 {
		return errors.New("must be 1 to 128 characters")
	}
	if k[0] < 'a' || k[0] > 'z' {
		return errors.New("must start with a letter")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errors.New("may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}

func metadataValueProblem(v string) error {
	switch {
	case v == "":
		return errors.New("must not be empty")
	case !utf8.ValidString(v):
		return errors.New("is not valid UTF-8")
	case strings.TrimSpace(v) != v:
		return errors.New("must not start or end with white space")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return errors.New("must not contain control characters")
		}
	}
	return nil
}

// NormalizeContentType returns the content type to store: the default for
// an empty one, else ct as given. Any media type a store accepts is
// accepted, a bare "text" too (stores do not parse it); only what cannot be
// an HTTP header value is refused (see CheckHTTPAttributes).
func NormalizeContentType(op, key, ct string) (string, error) {
	if ct == "" {
		return DefaultContentType, nil
	}
	if err := headerValueProblem(ct); err != nil {
		return "", NewError(op, key, ErrInvalidArgument, fmt.Errorf("content type %q %w", ct, err))
	}
	return ct, nil
}
