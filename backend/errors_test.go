package backend_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// sdkError stands for the native error type of an SDK.
type sdkError struct{ Code string }

func (e *sdkError) Error() string { return "sdk: " + e.Code }

func TestErrorUnwrapsToSentinelAndCause(t *testing.T) {
	cause := &sdkError{Code: "NoSuchKey"}
	err := fmt.Errorf("wrapped by a layer: %w", backend.NewError("get", "logs/a.txt", backend.ErrNotFound, cause))

	assert.ErrorIs(t, err, backend.ErrNotFound)
	assert.NotErrorIs(t, err, backend.ErrExist)
	var native *sdkError
	require.ErrorAs(t, err, &native)
	assert.Equal(t, "NoSuchKey", native.Code)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "get", be.Op)
	assert.Equal(t, "logs/a.txt", be.Key)
	assert.Equal(t, `wrapped by a layer: objstore: get "logs/a.txt": object not found: sdk: NoSuchKey`, err.Error())
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		err  *backend.Error
		want string
	}{
		{backend.NewError("stat", "k", backend.ErrNotFound, nil), `objstore: stat "k": object not found`},
		{backend.NewError("put", "k", nil, errors.New("disk on fire")), `objstore: put "k": disk on fire`},
		{backend.NewError("list", "", backend.ErrClosed, nil), `objstore: list: backend is closed (open a new one)`},
		{backend.NewError("put", "a\nb", backend.ErrInvalidKey, errors.New("key contains a control character")),
			`objstore: put "a\nb": invalid key: key contains a control character (keys are 1-1024 bytes of UTF-8 without control characters, leading or trailing '/', '//', '.' or '..' segments)`},
		{backend.NewError("get", "k", backend.ErrPermission, errors.New("403")), `objstore: get "k": permission denied: 403 (check the credentials and the access rights: bucket policy or file permissions)`},
		{backend.NewError("get", "k", backend.ErrUnavailable, nil), `objstore: get "k": store unavailable (check that the server is running and reachable)`},
		{backend.NewError("get", "k", backend.ErrServerBusy, nil), `objstore: get "k": server busy or failing (retry later or reduce the request rate)`},
		{backend.NewError("presign", "k", backend.ErrNotSupported, nil), `objstore: presign "k": not supported by this backend (check the driver's capabilities in its docs)`},
		// A cause equal to the kind is not said twice.
		{backend.NewError("get", "k", backend.ErrNotFound, backend.ErrNotFound), `objstore: get "k": object not found`},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
}

func TestNewErrorKeepsTheInnerKind(t *testing.T) {
	inner := backend.NewError("put", "k", backend.ErrInvalidArgument, errors.New("short"))
	outer := backend.NewError("put", "k", nil, inner)
	assert.Equal(t, backend.ErrInvalidArgument, outer.Kind)
	assert.ErrorIs(t, outer, backend.ErrInvalidArgument)
	// Through other wrapping too.
	outer = backend.NewError("put", "k", nil, fmt.Errorf("copy: %w", inner))
	assert.Equal(t, backend.ErrInvalidArgument, outer.Kind)
	// An explicit kind wins.
	outer = backend.NewError("put", "k", backend.ErrUnavailable, inner)
	assert.Equal(t, backend.ErrUnavailable, outer.Kind)
	// No kind anywhere.
	plain := backend.NewError("put", "k", nil, os.ErrDeadlineExceeded)
	assert.Nil(t, plain.Kind)
	assert.ErrorIs(t, plain, os.ErrDeadlineExceeded)
}

func TestErrorUnwrapNilParts(t *testing.T) {
	assert.Empty(t, (&backend.Error{Op: "x"}).Unwrap())
	assert.Equal(t, []error{backend.ErrClosed}, (&backend.Error{Op: "x", Kind: backend.ErrClosed}).Unwrap())
	cause := &fs.PathError{Op: "open", Path: "/p", Err: fs.ErrNotExist}
	e := &backend.Error{Op: "x", Kind: backend.ErrNotFound, Err: cause}
	assert.Equal(t, []error{backend.ErrNotFound, cause}, e.Unwrap())
	assert.ErrorIs(t, e, fs.ErrNotExist, "the native error's own chain is reachable")
}

func TestSentinelsAreDistinct(t *testing.T) {
	all := []error{backend.ErrNotFound, backend.ErrExist, backend.ErrInvalidKey, backend.ErrInvalidArgument, backend.ErrClosed,
		backend.ErrNotSupported, backend.ErrPermission, backend.ErrUnavailable, backend.ErrServerBusy, backend.ErrTooLarge}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v / %v", a, b)
		}
	}
}

// TestErrorRedactsSecretParams: a native error that quotes a request URL
// with an API key or a signature in its query, or a connection string,
// shows neither in the message; the native error stays reachable.
func TestErrorRedactsSecretParams(t *testing.T) {
	for cause, want := range map[string]string{
		`Get "http://h/storage/v1/b/x/o/k?alt=json&key=AIzaSECRET&prettyPrint=false": refused`: `Get "http://h/storage/v1/b/x/o/k?alt=json&key=xxxxx&prettyPrint=false": refused`,
		`GET http://h/b/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc123 failed`:               `GET http://h/b/k?X-Amz-Credential=xxxxx&X-Amz-Signature=xxxxx failed`,
		`PUT https://acct.blob/c/k?sv=2021&sig=SIGSECRET: 403`:                                 `PUT https://acct.blob/c/k?sv=2021&sig=xxxxx: 403`,
		`bad connection string AccountName=a;AccountKey=KEYSECRET==;BlobEndpoint=http://h`:     `bad connection string AccountName=a;AccountKey=xxxxx;BlobEndpoint=http://h`,
		`list ?prefix=a&key_encoding=url&continuation-token=TOK`:                               `list ?prefix=a&key_encoding=url&continuation-token=xxxxx`,
		`nothing secret here: a=b`: `nothing secret here: a=b`,
	} {
		native := errors.New(cause)
		err := backend.NewError("get", "k", backend.ErrUnavailable, native)
		assert.Contains(t, err.Error(), want)
		for _, secret := range []string{"AIzaSECRET", "abc123", "SIGSECRET", "KEYSECRET", "TOK"} {
			assert.NotContains(t, err.Error(), secret)
		}
		assert.ErrorIs(t, err, native)
	}
}

// An operation built on another (a stream write on a put) says the prefix
// and the hint once.
func TestErrorNestedSaysItOnce(t *testing.T) {
	inner := backend.NewError("put", "s/s.3", backend.ErrUnavailable, errors.New("dial tcp 127.0.0.1:1: connection refused"))
	outer := backend.NewError("write stream", "s", nil, fmt.Errorf("chunk 3: %w", inner))
	msg := outer.Error()
	assert.Equal(t, `objstore: write stream "s": chunk 3: put "s/s.3": store unavailable: dial tcp 127.0.0.1:1: connection refused (check that the server is running and reachable)`, msg)
	assert.Equal(t, 1, strings.Count(msg, "objstore: "))
	assert.Equal(t, 1, strings.Count(msg, "(check that the server is running and reachable)"))
	assert.ErrorIs(t, outer, backend.ErrUnavailable)

	// A different kind outside is said, and its hint too.
	outer = backend.NewError("write stream", "s", backend.ErrClosed, inner)
	msg = outer.Error()
	assert.Equal(t, 1, strings.Count(msg, "objstore: "))
	assert.Contains(t, msg, "backend is closed")
	assert.Contains(t, msg, "store unavailable")
}
