package backend_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/drivertest"
)

const secret = "s3cr3t-P4ss"

// The registry is global: each test registers schemes of its own name.

func TestRegisterAndOpen(t *testing.T) {
	var got *url.URL
	backend.Register("regtest-open", func(_ context.Context, u *url.URL) (backend.Backend, error) {
		got = u
		return nil, errors.New("opener ran")
	})
	assert.Contains(t, backend.Schemes(), "regtest-open")
	_, err := backend.Open(t.Context(), "RegTest-Open://host/path?x=1")
	assert.EqualError(t, err, "opener ran", "the scheme is case-insensitive")
	require.NotNil(t, got)
	assert.Equal(t, "host", got.Host)
	assert.Equal(t, "/path", got.Path)
}

func TestRegisterPanics(t *testing.T) {
	open := func(context.Context, *url.URL) (backend.Backend, error) { return nil, nil }
	backend.Register("regtest-dup", open)
	assert.PanicsWithValue(t, "backend: Register called twice for scheme regtest-dup", func() { backend.Register("regtest-dup", open) })
	assert.Panics(t, func() { backend.Register("REGTEST-DUP", open) }, "duplicates are found regardless of case")
	assert.Panics(t, func() { backend.Register("", open) })
	assert.Panics(t, func() { backend.Register("regtest-nil", nil) })
	assert.NotContains(t, backend.Schemes(), "regtest-nil")
}

func TestSchemesSorted(t *testing.T) {
	s := backend.Schemes()
	assert.IsIncreasing(t, s)
}

func TestOpenUnknownSchemeNamesTheImport(t *testing.T) {
	for scheme, pkg := range map[string]string{
		"minio":  "github.com/objstore-dev/objstore/backend/minio",
		"s3":     "github.com/objstore-dev/objstore/backend/s3",
		"gs":     "github.com/objstore-dev/objstore/backend/gcs",
		"azblob": "github.com/objstore-dev/objstore/backend/gocloud",
		"file":   "github.com/objstore-dev/objstore/backend/fs",
		"mem":    "github.com/objstore-dev/objstore/backend/mem",
	} {
		if contains(backend.Schemes(), scheme) {
			continue // linked into this test binary by some import
		}
		_, err := backend.Open(t.Context(), scheme+"://user:"+secret+"@host/bucket")
		require.Error(t, err, scheme)
		assert.ErrorIs(t, err, backend.ErrNotSupported, scheme)
		assert.Contains(t, err.Error(), `import _ "`+pkg+`"`, scheme)
		assert.Contains(t, err.Error(), "forgotten import?", scheme)
		assert.NotContains(t, err.Error(), secret, scheme)
	}
	_, err := backend.Open(t.Context(), "nosuchscheme://host")
	assert.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), `unknown URL scheme "nosuchscheme"`)
	assert.Contains(t, err.Error(), "registered: ")
	assert.NotContains(t, err.Error(), "forgotten import")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestOpenNeverLeaksAPassword(t *testing.T) {
	for _, raw := range []string{
		"nosuchscheme://user:" + secret + "@host/b",
		"//user:" + secret + "@host/b",                 // no scheme
		"user:" + secret + "@host/b",                   // no scheme, no slashes
		"minio://user:" + secret + "@host:badport/b",   // does not parse
		"minio://user:" + secret + "@[::1/b",           // does not parse
		"s3://AKIAEXAMPLE:" + secret + "@host%zz/b",    // does not parse
		"minio://user:" + secret + "@host/b\x7f",       // does not parse
		"minio://user:" + secret + "@a@b@host:bad/b\n", // several '@'
	} {
		_, err := backend.Open(t.Context(), raw)
		require.Error(t, err, "%q", raw)
		assert.NotContains(t, err.Error(), secret, "%q", raw)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"minio://user:" + secret + "@host:9000/bucket?region=x": "minio://user:xxxxx@host:9000/bucket?region=x",
		"minio://user@host/bucket":                              "minio://user@host/bucket",
		"file:///abs/dir":                                       "file:///abs/dir",
		"minio://user:" + secret + "@host:badport/b":            "minio://xxxxx@host:badport/b",
		"minio://user:" + secret + "@a@host:badport/b":          "minio://xxxxx@host:badport/b",
		"s3:key:" + secret + "@host/bucket":                     "s3:xxxxx@host/bucket", // the "//" forgotten
		"file:///no/secret/here":                                "file:///no/secret/here",
		"mem://":                                                "mem://",
		"azblob://c?key_encoding=hex&account_key=" + secret:     "azblob://c?account_key=xxxxx&key_encoding=hex",
		"s3://b?X-Amz-Signature=" + secret + "&region=r":        "s3://b?X-Amz-Signature=xxxxx&region=r",
	} {
		got := backend.Redact(in)
		assert.Equal(t, want, got, "%q", in)
		assert.NotContains(t, got, secret)
	}
}

func TestRedactDoesNotLeakInAnyForm(t *testing.T) {
	// Whatever the URL looks like, the password never survives.
	for _, raw := range []string{
		"s3://k:" + secret + "@h/b", "s3://k:" + secret + "@h:x/b", "s3://k:" + secret + "@h/%zz",
		"s3://k:" + secret + "@", "s3://:" + secret + "@h", "s3://k:" + secret + "@h@h2:bad",
		"s3:k:" + secret + "@h/b", "k:" + secret + "@h", "s3:k:" + secret + "@h/%zz",
	} {
		assert.False(t, strings.Contains(backend.Redact(raw), secret), "%q -> %q", raw, backend.Redact(raw))
	}
}

// TestRedactUserinfoInQueryValues: a query value may be a URL with its own
// user and password (s3's endpoint=...); the password is redacted there
// too, as are the values of secret parameters.
func TestRedactUserinfoInQueryValues(t *testing.T) {
	for in, want := range map[string]string{
		"s3://b?endpoint=http://AK:" + secret + "@host":               "s3://b?endpoint=http%3A%2F%2FAK%3Axxxxx%40host",
		"s3://b?endpoint=http://AK:" + secret + "@host:9000&region=r": "s3://b?endpoint=http%3A%2F%2FAK%3Axxxxx%40host%3A9000&region=r",
		"gs://b?endpoint=http://AK:" + secret + "@host:bad":           "gs://b?endpoint=http%3A%2F%2Fxxxxx%40host%3Abad",
		"azblob://c?domain=AK:" + secret + "@host":                    "azblob://c?domain=AK%3Axxxxx%40host",
		"s3://b?endpoint=http://host:9000&token=" + secret:            "s3://b?endpoint=http%3A%2F%2Fhost%3A9000&token=xxxxx",
		"s3://b?endpoint=http://host:9000":                            "s3://b?endpoint=http://host:9000",
		"minio://h:9000/b?ca_file=/etc/ca.pem":                        "minio://h:9000/b?ca_file=/etc/ca.pem",
	} {
		got := backend.Redact(in)
		assert.Equal(t, want, got, "%q", in)
		assert.NotContains(t, got, secret, "%q", in)
	}
}

// TestRedactUnencodedSecret: a secret with '/', '?' or '#' that was not
// percent-encoded ends the authority early; url.Parse then takes
// "user:pass-start" for host:port and the rest of the password for the
// path, query or fragment. Nothing of the password survives.
func TestRedactUnencodedSecret(t *testing.T) {
	for in, want := range map[string]string{
		"minio://AKID:1234/abcd@127.0.0.1:1/bucket":  "minio://xxxxx@127.0.0.1:1/bucket",
		"minio://AKID:1234/ab/cd@127.0.0.1:1/bucket": "minio://xxxxx@127.0.0.1:1/bucket",
		"minio://AKID:1234#abcd@127.0.0.1:1/bucket":  "minio://xxxxx@127.0.0.1:1/bucket",
		"minio://AKID:1234?abcd@127.0.0.1:1/bucket":  "minio://xxxxx@127.0.0.1:1/bucket",
		"s3://AKID:1234/abcd@bucket?region=r":        "s3://xxxxx@bucket?region=r",
		"file:///srv/a@b/objects":                    "file:///srv/a@b/objects", // no host: an '@' in a path is a path
		"minio://h:9000/bucket?ca_file=/home/a@b/ca": "minio://h:9000/bucket?ca_file=/home/a@b/ca",
	} {
		got := backend.Redact(in)
		assert.Equal(t, want, got, "%q", in)
		assert.NotContains(t, got, "abcd", "%q", in)
	}
}

// TestOpenScrubsEveryErrorLayer: an opener's error may wrap a value that
// holds the raw URL (a *url.Error, a parse error quoting a query value);
// Open returns an error in which no layer, formatted any way, holds a
// secret, and which still matches the sentinels the opener's did.
func TestOpenScrubsEveryErrorLayer(t *testing.T) {
	backend.Register("regtest-leak", func(_ context.Context, u *url.URL) (backend.Backend, error) {
		native := &url.Error{Op: "Get", URL: u.String(), Err: errors.New("connection refused")}
		return nil, backend.NewError("open", "", backend.ErrUnavailable, fmt.Errorf("probe %s: %w", u.Query().Get("endpoint"), native))
	})
	backend.Register("regtest-noleak", func(_ context.Context, u *url.URL) (backend.Backend, error) {
		return nil, backend.NewError("open", "", backend.ErrUnavailable, &url.Error{Op: "Get", URL: "http://" + u.Host, Err: errors.New("refused")})
	})
	for _, raw := range []string{
		"regtest-leak://AK:" + secret + "@host/b",
		"regtest-leak://host/b?secret_key=" + secret,
		"regtest-leak://host/b?endpoint=http://AK:" + secret + "@h2",
		"regtest-leak://AK:1234/" + secret + "@host/b",
		"regtest-leak://AK:" + url.QueryEscape(secret+"/+x") + "@host/b",
	} {
		_, err := backend.Open(t.Context(), raw)
		require.Error(t, err, raw)
		assert.ErrorIs(t, err, backend.ErrUnavailable, raw)
		var be *backend.Error
		require.ErrorAs(t, err, &be, raw)
		assert.Contains(t, err.Error(), "connection refused", raw)
		drivertest.NoSecretInErrorTree(t, err, raw, secret)
	}
	// Nothing secret: the opener's error is returned as it is.
	_, err := backend.Open(t.Context(), "regtest-noleak://host/b")
	var ue *url.Error
	assert.ErrorAs(t, err, &ue, "the native error stays reachable when it holds no secret")
}

func TestRegisterRemoverAndRemoveStore(t *testing.T) {
	var got *url.URL
	backend.RegisterRemover("regtest-rm", func(_ context.Context, u *url.URL) error {
		got = u
		if u.Host == "full" {
			return backend.NewError("remove-store", "", backend.ErrExist, errors.New("the bucket is not empty"))
		}
		return nil
	})
	require.NoError(t, backend.RemoveStore(t.Context(), "RegTest-RM://empty/path?x=1"), "the scheme is case-insensitive")
	require.NotNil(t, got)
	assert.Equal(t, "empty", got.Host)
	assert.Equal(t, "/path", got.Path)
	err := backend.RemoveStore(t.Context(), "regtest-rm://full")
	assert.ErrorIs(t, err, backend.ErrExist)
	assert.EqualError(t, err, "objstore: remove-store: object already exists: the bucket is not empty")
	assert.NotContains(t, backend.Schemes(), "regtest-rm", "a remover alone opens nothing")
}

func TestRegisterRemoverPanics(t *testing.T) {
	rm := func(context.Context, *url.URL) error { return nil }
	backend.RegisterRemover("regtest-rmdup", rm)
	assert.PanicsWithValue(t, "backend: RegisterRemover called twice for scheme regtest-rmdup", func() { backend.RegisterRemover("regtest-rmdup", rm) })
	assert.Panics(t, func() { backend.RegisterRemover("REGTEST-RMDUP", rm) }, "duplicates are found regardless of case")
	assert.Panics(t, func() { backend.RegisterRemover("", rm) })
	assert.Panics(t, func() { backend.RegisterRemover("regtest-rmnil", nil) })
}

// TestRemoveStoreUnsupported: a scheme with an opener but no remover says
// that its driver cannot remove stores; an unknown one names the import
// to add, as Open does; bad URLs are invalid arguments; no secret leaks.
func TestRemoveStoreUnsupported(t *testing.T) {
	backend.Register("regtest-norm", func(context.Context, *url.URL) (backend.Backend, error) { return nil, nil })
	err := backend.RemoveStore(t.Context(), "regtest-norm://u:"+secret+"@host/b")
	assert.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), "cannot remove stores")
	assert.NotContains(t, err.Error(), secret)

	for scheme, pkg := range map[string]string{
		"minio": "github.com/objstore-dev/objstore/backend/minio",
		"gs":    "github.com/objstore-dev/objstore/backend/gcs",
	} {
		if contains(backend.Schemes(), scheme) {
			continue
		}
		err := backend.RemoveStore(t.Context(), scheme+"://user:"+secret+"@host/bucket")
		assert.ErrorIs(t, err, backend.ErrNotSupported, scheme)
		assert.Contains(t, err.Error(), `import _ "`+pkg+`"`, scheme)
		assert.NotContains(t, err.Error(), secret, scheme)
	}
	for _, raw := range []string{"minio://user:" + secret + "@host:badport/b", "user:" + secret + "@host/b", "//user:" + secret + "@h/b"} {
		err := backend.RemoveStore(t.Context(), raw)
		require.Error(t, err, raw)
		if !strings.HasPrefix(raw, "user:") { // that one parses, with the scheme "user"
			assert.ErrorIs(t, err, backend.ErrInvalidArgument, raw)
		}
		assert.Contains(t, err.Error(), "remove-store", raw)
		assert.NotContains(t, err.Error(), secret, raw)
	}
}

// TestRemoveStoreScrubsErrors: a remover's error that quotes the raw URL
// comes back without the secret, with its kind.
func TestRemoveStoreScrubsErrors(t *testing.T) {
	backend.RegisterRemover("regtest-rmleak", func(_ context.Context, u *url.URL) error {
		return backend.NewError("remove-store", "", backend.ErrPermission, &url.Error{Op: "Delete", URL: u.String(), Err: errors.New("denied")})
	})
	err := backend.RemoveStore(t.Context(), "regtest-rmleak://AK:"+secret+"@host/b")
	require.Error(t, err)
	assert.ErrorIs(t, err, backend.ErrPermission)
	assert.Contains(t, err.Error(), "remove-store")
	drivertest.NoSecretInErrorTree(t, err, "remove-store", secret)
}
