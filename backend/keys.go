package backend

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxKeyLen is the longest key, in bytes, that every driver accepts.
const MaxKeyLen = 1024

// ValidateKey is the one definition of a legal object key, used by the
// client and by every driver. A key is 1 to MaxKeyLen bytes of valid UTF-8
// without NUL or other control characters, and is a clean relative path:
// no leading '/', no trailing '/', no "//", no "." or ".." segment. Every
// other printable character (spaces, + % # ? \ ~, non-ASCII) is legal.
//
// One more rule comes from MinIO, which refuses (as a path traversal) any
// name with a "." or ".." path component, where it splits names at '\' as
// well as at '/' and ignores the spaces around a component: `a\..\b`,
// `..\b`, `a/ . /b`. Such keys are refused here, for every driver, so that
// a key is valid on every store or on none.
//
// The error is an *Error with Kind ErrInvalidKey whose cause names the rule.
func ValidateKey(op, key string) error {
	if err := keyProblem(key); err != nil {
		return NewError(op, key, ErrInvalidKey, err)
	}
	return nil
}

func keyProblem(key string) error {
	switch {
	case key == "":
		return errors.New("key is empty")
	case len(key) > MaxKeyLen:
		return errors.New("key is longer than 1024 bytes")
	case key[0] == '/':
		return errors.New("key starts with '/'")
	case key[len(key)-1] == '/':
		return errors.New("key ends with '/'")
	}
	if err := textProblem(key); err != nil {
		return err
	}
	return segmentProblem(key)
}

// ValidatePrefix checks a listing or removal prefix. A prefix may be empty
// and may end with '/', but it obeys the other key rules, so that no
// prefix can name anything outside the store (no "." or ".." segment).
func ValidatePrefix(op, prefix string) error {
	if prefix == "" {
		return nil
	}
	var err error
	switch {
	case len(prefix) > MaxKeyLen:
		err = errors.New("prefix is longer than 1024 bytes")
	case prefix[0] == '/':
		err = errors.New("prefix starts with '/'")
	default:
		err = textProblem(prefix)
	}
	if err == nil {
		// The last segment may be a partial name ("a/b" matches "a/bc"),
		// so only complete segments and an exact "." or ".." are checked.
		err = segmentProblem(strings.TrimSuffix(prefix, "/"))
	}
	if err != nil {
		return NewError(op, prefix, ErrInvalidKey, err)
	}
	return nil
}

func textProblem(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("key is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errors.New("key contains a control character")
		}
	}
	return nil
}

func segmentProblem(s string) error {
	for seg := range strings.SplitSeq(s, "/") {
		switch seg {
		case "":
			return errors.New("key contains '//'")
		case ".", "..":
			return errors.New("key contains a '.' or '..' segment")
		}
		if dotComponent(seg) {
			return errors.New(`key contains a '.' or '..' path component between '\' separators or padded with spaces (as in a\..\b or "a/ . /b"), which MinIO refuses as a path traversal`)
		}
	}
	return nil
}

// dotComponent reports whether seg (a segment between '/') holds a
// component that MinIO's hasBadPathComponent (cmd/generic-handlers.go, the
// check behind its IsValidObjectName) refuses: split at '\', with the
// bytes that unicode.IsSpace takes for spaces trimmed from both ends,
// "." or "..". Empty components are allowed, as MinIO allows them.
func dotComponent(seg string) bool {
	for c := range strings.SplitSeq(seg, `\`) {
		if c = strings.TrimFunc(c, minioSpace); c == "." || c == ".." {
			return true
		}
	}
	return false
}

// minioSpace is MinIO's test for the whitespace around a path component,
// unicode.IsSpace of one byte, applied to runes. On valid UTF-8 (the only
// keys that get here) the verdict is MinIO's: the bytes 0x85 and 0xA0,
// which MinIO also trims, only occur inside multi-byte runes whose first
// byte is no space, so trimming them never leaves a bare "." or "..".
func minioSpace(r rune) bool { return r < utf8.RuneSelf && unicode.IsSpace(r) }

// CheckSegmentLen refuses, with ErrInvalidKey, a valid key that has a
// segment (between '/') longer than maxLen bytes: stores that keep each
// segment as a file name (MinIO, S3 gateways over a posix directory)
// cannot hold it. Drivers use it in their backend.KeyChecker.
func CheckSegmentLen(op, key string, maxLen int) error {
	if err := ValidateKey(op, key); err != nil {
		return err
	}
	for i, seg := range strings.Split(key, "/") {
		if len(seg) > maxLen {
			return NewError(op, key, ErrInvalidKey, fmt.Errorf(
				"segment %d is %d bytes; this store keeps each segment as a file name of at most %d bytes", i+1, len(seg), maxLen))
		}
	}
	return nil
}
