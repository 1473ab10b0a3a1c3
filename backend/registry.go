package backend

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/objstore-dev/objstore/internal/urlsecret"
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

// Remover removes the store that a URL of its scheme names: the bucket,
// the container or the directory itself, not only its objects. A store's
// lifetime is a property of its URL, not of an open Backend, so removal
// is registered per scheme, next to the Opener, and no wrapper has to
// forward it. The contract, for every driver:
//
//   - it removes an empty store and returns nil;
//   - it never removes an object: a store that holds one (or anything else
//     the store will not drop with it, such as old versions) is left as it
//     is, and the error matches ErrExist and says that the store is not
//     empty (as Go's os.Remove on a non-empty directory gives ENOTEMPTY,
//     which matches fs.ErrExist, and as S3, GCS and Azure answer 409
//     Conflict);
//   - a store that does not exist is ErrNotFound;
//   - every error is a *Error whose Op is "remove-store".
type Remover func(ctx context.Context, u *url.URL) error

var removers = map[string]Remover{}

// RegisterRemover makes RemoveStore able to remove the stores of a URL
// scheme. Drivers call it from an init function, next to Register. It
// panics if the scheme is empty, already has a remover, or remover is
// nil. The scheme needs no opener (init order within a package is not
// guaranteed to register the opener first).
func RegisterRemover(scheme string, remover Remover) {
	registryMu.Lock()
	defer registryMu.Unlock()
	scheme = strings.ToLower(scheme)
	if scheme == "" || remover == nil {
		panic("backend: RegisterRemover with an empty scheme or a nil remover")
	}
	if _, dup := removers[scheme]; dup {
		panic("backend: RegisterRemover called twice for scheme " + scheme)
	}
	removers[scheme] = remover
}

// RemoveStore removes the empty store that rawURL names with the remover
// registered for its scheme (see Remover for the contract: ErrExist when
// the store holds objects, ErrNotFound when it does not exist). A scheme
// whose driver registered no remover, or no driver at all, is
// ErrNotSupported. Query parameters that only matter to an open store
// (create_bucket, part_size, ...) are accepted and ignored. Errors never
// contain the URL's password.
func RemoveStore(ctx context.Context, rawURL string) error {
	const op = "remove-store"
	u, err := url.Parse(rawURL)
	if err != nil {
		return NewError(op, "", ErrInvalidArgument, fmt.Errorf("cannot parse the store URL %q", Redact(rawURL)))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "" {
		return NewError(op, "", ErrInvalidArgument,
			fmt.Errorf("store URL %q has no scheme (registered: %s)", Redact(rawURL), strings.Join(Schemes(), ", ")))
	}
	registryMu.RLock()
	remover, opener := removers[scheme], registry[scheme]
	registryMu.RUnlock()
	if remover == nil {
		hint := "no driver registered"
		if opener != nil {
			hint = "its driver cannot remove stores; use the store's own tools"
		} else if pkg, ok := knownDrivers[scheme]; ok {
			hint += fmt.Sprintf(" (forgotten import? import _ %q)", pkg)
		}
		return NewError(op, "", ErrNotSupported, fmt.Errorf("URL scheme %q: %s", scheme, hint))
	}
	if err := remover(ctx, u); err != nil {
		return scrubError(op, err, rawURL)
	}
	return nil
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
			fmt.Errorf("store URL %q has no scheme (registered: %s)", Redact(rawURL), strings.Join(Schemes(), ", ")))
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
	b, err := opener(ctx, u)
	if err != nil {
		return nil, scrubError("open", err, rawURL)
	}
	return b, nil
}

// scrubError returns err, or, when a layer of err (anything that
// errors.Unwrap reaches, formatted with %v or %+v) holds a secret of
// rawURL, an *Error with the same Op, Key and Kind (Op op when err is no
// *Error) whose cause is the message with the secrets replaced, and which
// matches the sentinels err matched but wraps nothing else: a driver's
// error may quote the raw URL (a *url.Error, a parse error of a query
// value), and errors.As must not hand it out. The text of an *Error is
// redacted when printed, but not the values it wraps.
func scrubError(op string, err error, rawURL string) error {
	secrets := urlSecrets(rawURL)
	if len(secrets) == 0 || !treeHolds(err, secrets) {
		return err
	}
	out := &Error{Op: op}
	msg := err.Error()
	var e *Error
	if errors.As(err, &e) {
		out.Op, out.Key, out.Kind = e.Op, e.Key, e.Kind
		if e.Err != nil {
			msg = e.Err.Error()
		}
	}
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	se := &scrubbedError{msg: redactText(msg)}
	for _, k := range []error{ErrNotFound, ErrExist, ErrInvalidKey, ErrInvalidArgument, ErrClosed,
		ErrNotSupported, ErrPermission, ErrUnavailable, ErrServerBusy, ErrTooLarge,
		context.Canceled, context.DeadlineExceeded} {
		if k != out.Kind && errors.Is(err, k) {
			se.kinds = append(se.kinds, k)
		}
	}
	out.Err = se
	return out
}

// scrubbedError is the cause of an open error whose native cause held a
// secret: its text without the secret, and the sentinels it matched.
type scrubbedError struct {
	msg   string
	kinds []error
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.kinds }

// treeHolds reports whether err or any error it wraps, formatted with %v
// or %+v, contains one of secrets.
func treeHolds(err error, secrets []string) bool {
	if err == nil {
		return false
	}
	for _, verb := range []string{"%v", "%+v"} {
		text := fmt.Sprintf(verb, err)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				return true
			}
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if treeHolds(inner, secrets) {
				return true
			}
		}
	case interface{ Unwrap() error }:
		return treeHolds(u.Unwrap(), secrets)
	}
	return false
}

// urlSecrets returns the secrets rawURL carries, as they are written in it
// and decoded, longest first: what Redact would replace.
func urlSecrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" || s == "xxxxx" {
			return
		}
		out = append(out, s)
		if d, err := url.PathUnescape(s); err == nil && d != s {
			out = append(out, d)
		}
		if d, err := url.QueryUnescape(s); err == nil && d != s {
			out = append(out, d)
		}
		out = append(out, url.QueryEscape(s), url.PathEscape(s))
	}
	// userinfo adds the password of "user:pass", and its pieces when it
	// held unencoded '/', '?' or '#' (an error may quote the path alone).
	userinfo := func(ui string) {
		_, pass, ok := strings.Cut(ui, ":")
		if !ok {
			return
		}
		add(pass)
		for _, piece := range strings.FieldsFunc(pass, func(r rune) bool { return r == '/' || r == '?' || r == '#' }) {
			if piece != pass && len(piece) >= 4 {
				add(piece)
			}
		}
	}
	// The user part: from "//" (or the scheme's ':') to the '@' that
	// Redact cuts at.
	if r := Redact(rawURL); r != rawURL {
		start := strings.Index(rawURL, "//")
		if start >= 0 {
			start += 2
		} else {
			start = strings.Index(rawURL, ":") + 1
		}
		if i := strings.Index(r, "xxxxx@"); i >= 0 && start > 0 && i == start {
			tail := r[i+len("xxxxx"):]
			if end := len(rawURL) - len(tail); end > start && strings.HasSuffix(rawURL, tail) {
				userinfo(rawURL[start:end])
			}
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				add(p)
			}
		}
		for _, pair := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			name, value, _ := strings.Cut(pair, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			switch {
			case isSecretParam(name):
				add(value)
			case strings.Contains(value, "@") || strings.Contains(value, "%40"):
				v, err := url.QueryUnescape(value)
				if err != nil {
					v = value
				}
				out = append(out, urlSecrets(v)...)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

// Redact returns rawURL with any password replaced by "xxxxx", also when
// the URL does not parse, so that it can be put in errors and logs. The
// values of secret query parameters (see isSecretParam) are replaced too,
// and so is a password inside a query value (endpoint=http://AK:SECRET@h).
// A password with an unencoded '/', '?' or '#' ends the authority early
// (minio://AK:12/34@host/b parses as host "AK:12", path "/34@host/b"):
// everything from "//" to the '@' after it is replaced then.
func Redact(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && !strings.Contains(u.Opaque, "@") {
		if urlsecret.MisplacedUserinfo(u) {
			return redactMisplaced(rawURL)
		}
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

// redactMisplaced replaces the text between "//" and the '@' that ends a
// misplaced user part: the last '@' before the first '?' that follows the
// first '@' (a password may hold '@' too; a query value may hold one).
func redactMisplaced(rawURL string) string {
	i := strings.Index(rawURL, "//")
	if i < 0 {
		return rawURL
	}
	rest := rawURL[i+2:]
	first := strings.Index(rest, "@")
	if first < 0 {
		return rawURL
	}
	end := len(rest)
	if q := strings.Index(rest[first:], "?"); q >= 0 {
		end = first + q
	}
	j := strings.LastIndex(rest[:end], "@")
	return rawURL[:i+2] + "xxxxx" + rest[j:]
}

// secretParams are fragments of query parameter names whose values are
// secrets (presigned signatures, tokens); a name that ends in "key"
// (access_key, account_key, key) is a secret too, but not key_encoding.
var secretParams = []string{"secret", "signature", "password", "token", "credential", "sig"}

// redactQuery replaces the values of secret-looking query parameters,
// and the passwords inside other values (a query value may be a URL).
func redactQuery(u *url.URL) {
	if u.RawQuery == "" {
		return
	}
	q := u.Query()
	changed := false
	for name, values := range q {
		if isSecretParam(name) {
			q[name] = []string{"xxxxx"}
			changed = true
			continue
		}
		for i, v := range values {
			if strings.Contains(v, "@") {
				if r := Redact(v); r != v {
					values[i] = r
					changed = true
				}
			}
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
