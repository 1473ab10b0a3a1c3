// Package storeurl parses the URLs of drivers that open one bucket by
// name, SCHEME://NAME?param=value&..., the same way for each: the host
// names the bucket; a user or password is refused (credentials do not
// belong in a URL, which is logged and shown too easily), as is a path;
// every query parameter must be known and given once, so that a typo is
// not ignored; and every error is ErrInvalidArgument for "open", naming
// the URL without its secrets.
package storeurl

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/urlsecret"
)

// Form describes the URLs of one driver.
type Form struct {
	Scheme string // the URL scheme, e.g. "gs"
	Driver string // names the driver in errors, e.g. "gcs"
	Name   string // what the host names, e.g. "bucket" or "container"
	// Credentials tells where credentials go instead of the URL, e.g.
	// "use GOOGLE_APPLICATION_CREDENTIALS".
	Credentials string
}

// Param sets an option from the value of one query parameter.
type Param func(value string) error

// Parse checks u against the form, calls the Param of each query
// parameter with its value, in the order of the parameters' names, and
// returns the bucket name (the host). It stops at the first problem, with
// an error made by Fail.
func (f Form) Parse(u *url.URL, params map[string]Param) (string, error) {
	usage := f.Scheme + "://" + strings.ToUpper(f.Name)
	switch {
	case !strings.EqualFold(u.Scheme, f.Scheme):
		return "", f.Fail(u, fmt.Errorf("scheme is not %q", f.Scheme))
	case u.User != nil:
		return "", f.Fail(u, fmt.Errorf("credentials do not belong in %s:// URLs; %s", f.Scheme, f.Credentials))
	case urlsecret.MisplacedUserinfo(u):
		return "", f.Fail(u, fmt.Errorf("credentials do not belong in %s:// URLs (this one looks like USER:PASSWORD@ with a '/', '?' or '#' in the password); %s", f.Scheme, f.Credentials))
	case u.Host == "":
		return "", f.Fail(u, fmt.Errorf("no %s: use %s", f.Name, usage))
	case u.Path != "" && u.Path != "/":
		return "", f.Fail(u, fmt.Errorf("a path is not supported: use %s", usage))
	}
	q := u.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		set, ok := params[name]
		if !ok {
			known := strings.Join(slices.Sorted(maps.Keys(params)), ", ")
			return "", f.Fail(u, fmt.Errorf("unknown query parameter %q (known: %s)", name, known))
		}
		if values := q[name]; len(values) != 1 {
			return "", f.Fail(u, fmt.Errorf("query parameter %q given %d times", name, len(values)))
		}
		if err := set(q.Get(name)); err != nil {
			return "", f.Fail(u, fmt.Errorf("query parameter %s=%q: %w", name, backend.Redact(q.Get(name)), err))
		}
	}
	return u.Host, nil
}

// Fail returns the error of a URL of this form that cannot be opened as it
// is: an *backend.Error with Kind ErrInvalidArgument for "open", whose
// text names the driver and the URL with its secrets redacted.
func (f Form) Fail(u *url.URL, err error) error {
	return backend.NewError("open", "", backend.ErrInvalidArgument,
		fmt.Errorf("%s: URL %q: %w", f.Driver, backend.Redact(u.String()), err))
}

// String is a Param that stores the value.
func String(dst *string) Param {
	return func(v string) error { *dst = v; return nil }
}

// Bool is a Param that parses the value with strconv.ParseBool.
func Bool(dst *bool) Param {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*dst = b
		return nil
	}
}

// PositiveInt is a Param that parses a whole number greater than 0.
func PositiveInt(dst *int) Param {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errors.New("must be a whole number greater than 0")
		}
		*dst = n
		return nil
	}
}

// Opener returns the backend.Opener of a driver's scheme: it parses the
// URL with parse and opens the result with open. A failed open gives a
// nil Backend, never a typed nil pointer inside the interface.
func Opener[C any, B backend.Backend](parse func(*url.URL) (C, error), open func(context.Context, C) (B, error)) backend.Opener {
	return func(ctx context.Context, u *url.URL) (backend.Backend, error) {
		cfg, err := parse(u)
		if err != nil {
			return nil, err
		}
		b, err := open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}
