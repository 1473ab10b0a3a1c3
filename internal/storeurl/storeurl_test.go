package storeurl_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/storeurl"
)

var form = storeurl.Form{Scheme: "xs", Driver: "xdrv", Name: "bucket", Credentials: "use $X_KEY"}

type config struct {
	bucket string
	flag   bool
	size   int
	name   string
}

func parse(t *testing.T, raw string) (config, error) {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	var cfg config
	cfg.bucket, err = form.Parse(u, map[string]storeurl.Param{
		"flag": storeurl.Bool(&cfg.flag),
		"size": storeurl.PositiveInt(&cfg.size),
		"name": storeurl.String(&cfg.name),
	})
	return cfg, err
}

func TestParse(t *testing.T) {
	cfg, err := parse(t, "xs://bkt?flag=true&size=42&name=a%20b")
	require.NoError(t, err)
	assert.Equal(t, config{bucket: "bkt", flag: true, size: 42, name: "a b"}, cfg)

	cfg, err = parse(t, "XS://bkt/")
	require.NoError(t, err)
	assert.Equal(t, config{bucket: "bkt"}, cfg, "no parameters: defaults; a lone '/' is no path")
}

func TestParseErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"ys://bkt":               `scheme is not "xs"`,
		"xs://user:secret@bkt":   "credentials do not belong in xs:// URLs; use $X_KEY",
		"xs://":                  "no bucket: use xs://BUCKET",
		"xs://bkt/path":          "a path is not supported: use xs://BUCKET",
		"xs://bkt?colour=red":    `unknown query parameter "colour" (known: flag, name, size)`,
		"xs://bkt?name=a&name=b": `query parameter "name" given 2 times`,
		"xs://bkt?flag=maybe":    `query parameter flag="maybe": must be true or false`,
		"xs://bkt?size=0":        `query parameter size="0": must be a whole number greater than 0`,
		"xs://bkt?size=x":        `query parameter size="x": must be a whole number greater than 0`,
	} {
		_, err := parse(t, raw)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, raw)
		var be *backend.Error
		require.ErrorAs(t, err, &be, raw)
		assert.Equal(t, "open", be.Op, raw)
		assert.Contains(t, err.Error(), "xdrv: URL ", raw)
		assert.Contains(t, err.Error(), want, raw)
		assert.NotContains(t, err.Error(), "secret", raw)
	}
}

// TestParseOrder: parameters are set in the order of their names, so the
// first bad one is always the same one.
func TestParseOrder(t *testing.T) {
	for range 20 {
		_, err := parse(t, "xs://bkt?size=0&flag=maybe&zzz=1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "flag=")
	}
}

func TestFailRedacts(t *testing.T) {
	u, err := url.Parse("xs://bkt?secret_token=hunter2")
	require.NoError(t, err)
	err = form.Fail(u, errors.New("bad"))
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Contains(t, err.Error(), "bad")
}

type fakeBackend struct{ backend.Backend }

func TestOpener(t *testing.T) {
	errParse := errors.New("parse failed")
	errOpen := errors.New("open failed")
	parseOK := func(u *url.URL) (string, error) { return u.Host, nil }
	ctx := context.Background()
	u := &url.URL{Scheme: "xs", Host: "bkt"}

	var opened string
	b, err := storeurl.Opener(parseOK, func(_ context.Context, host string) (*fakeBackend, error) {
		opened = host
		return &fakeBackend{}, nil
	})(ctx, u)
	require.NoError(t, err)
	assert.NotNil(t, b)
	assert.Equal(t, "bkt", opened)

	b, err = storeurl.Opener(func(*url.URL) (string, error) { return "", errParse },
		func(context.Context, string) (*fakeBackend, error) {
			t.Fatal("open after a failed parse")
			return nil, nil
		})(ctx, u)
	require.ErrorIs(t, err, errParse)
	assert.Nil(t, b)

	b, err = storeurl.Opener(parseOK, func(context.Context, string) (*fakeBackend, error) { return nil, errOpen })(ctx, u)
	require.ErrorIs(t, err, errOpen)
	assert.True(t, b == nil, "a nil Backend, not a typed nil pointer in the interface")
}

// TestParseErrorsHoldNoSecret: no layer of a Parse error (errors.Unwrap
// all the way down, %v and %+v) holds a secret of the URL: a password, a
// password inside a query value, the value of a secret-looking
// parameter, or a password whose unencoded '/' ended the user part early
// (refused as credentials in the URL, with a hint to percent-encode).
func TestParseErrorsHoldNoSecret(t *testing.T) {
	const s = "S3CRETvalue"
	for raw, want := range map[string]string{
		"xs://AK:" + s + "@bkt":                          "credentials do not belong",
		"xs://AK:1234/" + s + "@bkt":                     "credentials do not belong",
		"xs://AK:1234/" + s + "@bkt?flag=1":              "credentials do not belong",
		"xs://bkt?secret_key=" + s:                       "unknown query parameter",
		"xs://bkt?name=http://AK:" + s + "@h&flag=maybe": "must be true or false",
		"xs://bkt/path?token=" + s:                       "a path is not supported",
		"xs://bkt?name=AK:" + s + "@h&size=0":            "greater than 0",
	} {
		_, err := parse(t, raw)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, raw)
		assert.Contains(t, err.Error(), want, raw)
		drivertest.NoSecretInErrorTree(t, err, raw, s)
	}
}
