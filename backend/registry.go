package backend

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Opener opens a Backend for a parsed URL of its scheme.
type Opener func(ctx context.Context, u *url.URL) (Backend, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// Register makes a URL scheme available to Open. Drivers call it from an
// init function. It panics if the scheme is empty, already registered, or
// opener is nil, as database/sql.Register does.
func Register(scheme string, opener Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	scheme = strings.ToLower(scheme)
	if scheme == "" || opener == nil {
		panic("backend: Register with an empty scheme or a nil opener")
	}
	if _, dup := registry[scheme]; dup {
		panic("backend: Register called twice for scheme " + scheme)
	}
	registry[scheme] = opener
}

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s := make([]string, 0, len(registry))
	for k := range registry {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// knownDrivers names the package to import for the schemes of this module.
var knownDrivers = map[string]string{
	"mem":    "github.com/objstore-dev/objstore/backend/mem",
	"file":   "github.com/objstore-dev/objstore/backend/fs",
	"minio":  "github.com/objstore-dev/objstore/backend/minio",
	"s3":     "github.com/objstore-dev/objstore/backend/s3",
	"gs":     "github.com/objstore-dev/objstore/backend/gcs",
	"azblob": "github.com/objstore-dev/objstore/backend/gocloud",
}

// Open opens the Backend that rawURL names, with the opener registered for
// its scheme. Errors never contain the URL's password.
func Open(ctx context.Context, rawURL string) (Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote the whole URL, secret included.
		return nil, NewError("open", "", ErrInvalidArgument, fmt.Errorf("cannot parse the store URL %q", Redact(rawURL)))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "" {
		return nil, NewError("open", "", ErrInvalidArgument,
			fmt.Errorf("store URL %q has no scheme (registered: %s)", u.Redacted(), strings.Join(Schemes(), ", ")))
	}
	registryMu.RLock()
	opener := registry[scheme]
	registryMu.RUnlock()
	if opener == nil {
		hint := "no driver registered"
		if pkg, ok := knownDrivers[scheme]; ok {
			hint += fmt.Sprintf(" (forgotten import? import _ %q)", pkg)
		}
		return nil, NewError("open", "", ErrNotSupported,
			fmt.Errorf("unknown URL scheme %q: %s; registered: %s", scheme, hint, strings.Join(Schemes(), ", ")))
	}
	return opener(ctx, u)
}

// Redact returns rawURL with any password replaced by "xxxxx", also when
// the URL does not parse, so that it can be put in errors and logs.
func Redact(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && !strings.Contains(u.Opaque, "@") {
		redactQuery(u)
		out := u.Redacted()
		// url.URL drops the "//" of an empty host ("mem://" would come
		// back as "mem:"): keep the URL as the user wrote it.
		if scheme := u.Scheme + "://"; u.Scheme != "" && strings.HasPrefix(rawURL, scheme) && !strings.HasPrefix(out, scheme) {
			out = scheme + strings.TrimPrefix(out, u.Scheme+":")
		}
		return out
	}
	// "s3:key:secret@host" (the "//" forgotten) parses as an opaque URL
	// whose opaque part holds the password: treat it as unparsable.
	// Unparsable: drop everything between "://" and the last '@'.
	if i := strings.Index(rawURL, "://"); i >= 0 {
		if j := strings.LastIndex(rawURL, "@"); j > i {
			return rawURL[:i+3] + "xxxxx" + rawURL[j:]
		}
	} else if i := strings.Index(rawURL, ":"); i >= 0 {
		if j := strings.LastIndex(rawURL, "@"); j > i {
			return rawURL[:i+1] + "xxxxx" + rawURL[j:]
		}
	}
	return rawURL
}

// secretParams are fragments of query parameter names whose values are
// secrets (presigned signatures, tokens); a name that ends in "key"
// (access_key, account_key, key) is a secret too, but not key_encoding.
var secretParams = []string{"secret", "signature", "password", "token", "credential", "sig"}

// redactQuery replaces the values of secret-looking query parameters.
func redactQuery(u *url.URL) {
	if u.RawQuery == "" {
		return
	}
	q := u.Query()
	changed := false
	for name := range q {
		if isSecretParam(name) {
			q[name] = []string{"xxxxx"}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}

// isSecretParam reports whether a query parameter (or a connection-string
// field) of this name holds a secret.
func isSecretParam(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, "key") {
		return true
	}
	for _, frag := range secretParams {
		if strings.Contains(lower, frag) {
			return true
		}
	}
	return false
}

// paramInText is a name=value pair after a separator of a URL query
// ('?', '&') or of a connection string (';').
var paramInText = regexp.MustCompile(`([?&;])([A-Za-z0-9_.\-]+)=([^&;:\s"']*)`)

// redactText blanks the values of secret-looking parameters in a message:
// a native error may quote a request URL that carries an API key or a
// signature in its query (Get "https://...?key=..."), and its text is
// fixed when the error is made, so the URL cannot be redacted before.
func redactText(msg string) string {
	if !strings.ContainsAny(msg, "?&;") {
		return msg
	}
	return paramInText.ReplaceAllStringFunc(msg, func(m string) string {
		sub := paramInText.FindStringSubmatch(m)
		if sub[3] == "" || !isSecretParam(sub[2]) {
			return m
		}
		return sub[1] + sub[2] + "=xxxxx"
	})
}
