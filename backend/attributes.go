package backend

import (
	"errors"
	"fmt"
)

// HTTPAttributes are the HTTP headers a store keeps with an object besides
// its content type, returns with Stat and Get, and serves with the object
// (a presigned GET answers with them). Empty means not set. Drivers store
// them as given and never act on them: an object put with ContentEncoding
// "gzip" reads back as the bytes that were put, not decompressed.
type HTTPAttributes struct {
	CacheControl       string // e.g. "max-age=3600"
	ContentDisposition string // e.g. `attachment; filename="report.pdf"`
	ContentEncoding    string // e.g. "gzip"
	ContentLanguage    string // e.g. "en-GB"
}

// IsZero reports whether no attribute is set.
func (a HTTPAttributes) IsZero() bool { return a == HTTPAttributes{} }

// MaxHeaderValue is the longest content type or HTTP attribute value a
// Put accepts: every store takes this much in one header.
const MaxHeaderValue = 1024

// CheckHTTPAttributes refuses an attribute that cannot be sent as an HTTP
// header value: longer than MaxHeaderValue, or holding a byte outside
// printable ASCII (tabs and spaces inside are fine). Anything else is
// accepted as given: stores do not parse these values.
func CheckHTTPAttributes(op, key string, a HTTPAttributes) error {
	for _, f := range []struct{ name, v string }{
		{"CacheControl", a.CacheControl},
		{"ContentDisposition", a.ContentDisposition},
		{"ContentEncoding", a.ContentEncoding},
		{"ContentLanguage", a.ContentLanguage},
	} {
		if err := headerValueProblem(f.v); err != nil {
			return NewError(op, key, ErrInvalidArgument, fmt.Errorf("%s %q %w", f.name, f.v, err))
		}
	}
	return nil
}

// headerValueProblem says why v cannot be an HTTP header value that every
// store keeps byte for byte, or returns nil.
func headerValueProblem(v string) error {
	if len(v) > MaxHeaderValue {
		return fmt.Errorf("is longer than %d bytes", MaxHeaderValue)
	}
	if v != "" && (v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		return errors.New("starts or ends with white space (HTTP drops it)")
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '\t' && (c < 0x20 || c > 0x7e) {
			return fmt.Errorf("holds byte %#02x at %d: want printable ASCII", c, i)
		}
	}
	return nil
}
