package backend

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// PresignOptions are the options of Presigner.Presign; the zero value
// signs a request that may carry any headers.
type PresignOptions struct {
	// ContentType, for a PUT only, binds the Content-Type header: the
	// holder of the URL must send exactly this value, and a store that
	// checks signatures refuses a PUT with another (or none). Empty
	// leaves the content type to the holder. A store that cannot bind it
	// (Azure's SAS) returns ErrNotSupported rather than a URL that would
	// not enforce it.
	ContentType string
}

// presignMethods are the HTTP methods Presign signs.
var presignMethods = []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete}

// PresignOp is the name of the operation that presigns method, as errors,
// logs, metrics and traces give it: "presign-get", "presign-head",
// "presign-put", "presign-delete", and "presign" for any other method (so
// that a caller's string cannot grow a metric's label values).
func PresignOp(method string) string {
	if !slices.Contains(presignMethods, method) {
		return "presign"
	}
	return "presign-" + strings.ToLower(method)
}

// CheckPresign makes the argument checks of Presigner.Presign: the key
// (ValidateKey), a method of GET, HEAD, PUT and DELETE, an expiry from one second to
// max (no upper bound when max is 0), and a content type only for a PUT.
// Every error is an *Error for PresignOp(method) and key.
func CheckPresign(method, key string, expiry, max time.Duration, opts PresignOptions) error {
	op := PresignOp(method)
	if err := ValidateKey(op, key); err != nil {
		return err
	}
	if !slices.Contains(presignMethods, method) {
		return NewError(op, key, ErrInvalidArgument,
			fmt.Errorf("method %q cannot be presigned (GET, HEAD, PUT or DELETE)", method))
	}
	if expiry < time.Second {
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("expiry %v is shorter than a second", expiry))
	}
	if max > 0 && expiry > max {
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("expiry %v is longer than the store allows (%v)", expiry, days(max)))
	}
	if opts.ContentType != "" && method != http.MethodPut {
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("a content type binds only a PUT, not a %s", method))
	}
	if strings.ContainsFunc(opts.ContentType, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("content type %q has a control character", opts.ContentType))
	}
	return nil
}

// days writes a whole number of days as such ("7 days"), else as a
// Duration.
func days(d time.Duration) string {
	if d%(24*time.Hour) != 0 {
		return d.String()
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}
