package prefix_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/prefix"
)

func TestNewPrefixRule(t *testing.T) {
	inner := mem.New()
	defer inner.Close()
	for _, p := range []string{
		"", "view", "a/b", "/", "/view/", "a//", "./", "../", "a/../", "a/./", `a\..\`, "a\x00/",
		"\xff/", strings.Repeat("a", backend.MaxKeyLen-1) + "/", strings.Repeat("a", backend.MaxKeyLen) + "/",
	} {
		v, err := prefix.New(inner, p)
		require.ErrorIs(t, err, backend.ErrInvalidKey, "%q", p)
		assert.Nil(t, v)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, [2]string{"prefix", p}, [2]string{be.Op, be.Key})
	}
	_, err := prefix.New(inner, "logs")
	assert.ErrorContains(t, err, `use "logs/"`)
	for _, p := range []string{"view/", "a/b/", "tenants/acme corp/", "é/😀/", ".hidden/", strings.Repeat("a", backend.MaxKeyLen-2) + "/"} {
		v, err := prefix.New(inner, p)
		require.NoError(t, err, "%q", p)
		assert.Equal(t, p, v.(interface{ Prefix() string }).Prefix())
		assert.Equal(t, `prefix("`+p+`", mem)`, v.(interface{ String() string }).String())
	}
}

// Close closes the view; the inner backend only with CloseInner.
func TestCloseOwnership(t *testing.T) {
	ctx := context.Background()
	inner := mem.New()
	v, err := prefix.New(inner, "view/")
	require.NoError(t, err)
	require.NoError(t, v.Close())
	require.NoError(t, v.Close(), "idempotent")
	_, err = v.Stat(ctx, "x")
	require.ErrorIs(t, err, backend.ErrClosed)
	_, err = inner.Put(ctx, "x", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err, "the inner backend is still open")

	owner, err := prefix.New(inner, "view/", prefix.CloseInner())
	require.NoError(t, err)
	require.NoError(t, owner.Close())
	require.NoError(t, owner.Close())
	_, err = inner.Stat(ctx, "x")
	require.ErrorIs(t, err, backend.ErrClosed, "the owning view closed it")
}

// Errors name the relative key, in Key and in the text, and keep their
// kinds.
func TestErrorsNameRelativeKey(t *testing.T) {
	ctx := context.Background()
	for name, newInner := range inners {
		t.Run(name, func(t *testing.T) {
			_, v := confined(t, newInner)
			wantKey := func(err error, kind error, key string) {
				t.Helper()
				require.ErrorIs(t, err, kind)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, key, be.Key)
				if key != "" {
					assert.Contains(t, err.Error(), `"`+key+`"`)
				}
				assert.NotContains(t, err.Error(), `"view/`)
			}
			_, err := v.Stat(ctx, "nope")
			wantKey(err, backend.ErrNotFound, "nope")
			_, _, err = v.Get(ctx, "sub/nope", backend.WholeObject)
			wantKey(err, backend.ErrNotFound, "sub/nope")
			_, err = v.Put(ctx, "in1", strings.NewReader("x"), backend.PutOptions{Size: 1, IfNotExist: true})
			if !errors.Is(err, backend.ErrNotSupported) {
				wantKey(err, backend.ErrExist, "in1")
			}
			_, err = v.Put(ctx, "in1", strings.NewReader("xx"), backend.PutOptions{Size: 1})
			wantKey(err, backend.ErrInvalidArgument, "in1")
			_, _, err = v.Get(ctx, "in1", backend.GetOptions{Offset: 100, Length: -1})
			wantKey(err, backend.ErrInvalidArgument, "in1")
			_, err = v.List(ctx, backend.ListOptions{PageSize: -1})
			wantKey(err, backend.ErrInvalidArgument, "")

			long := strings.Repeat("k", backend.MaxKeyLen-len("view/")+1)
			_, err = v.Put(ctx, long, strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.ErrorIs(t, err, backend.ErrInvalidKey)
			assert.ErrorContains(t, err, "keys of this view are at most 1019 bytes")
			_, err = v.Put(ctx, long[1:], strings.NewReader("x"), backend.PutOptions{Size: 1})
			if name == "mem" {
				require.NoError(t, err, "the longest key of the view fits")
			} // fs: a segment of 1019 bytes is no file name; see TestCheckKey.

			page, err := v.List(ctx, backend.ListOptions{Prefix: long + "/"})
			require.NoError(t, err, "a prefix too long for any key lists nothing")
			assert.Empty(t, page.Objects)
		})
	}
}

// failingGet is an inner backend whose readers fail with an *Error naming
// the inner key, as a driver's broken transfer does.
type failingGet struct{ backend.Backend }

var errBroken = errors.New("connection reset")

func (f failingGet) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return io.NopCloser(&brokenReader{key: key}), backend.ObjectInfo{Key: key, Size: 10}, nil
}

type brokenReader struct{ key string }

func (r *brokenReader) Read([]byte) (int, error) {
	return 0, backend.NewError("get", r.key, backend.ErrUnavailable, errBroken)
}

func TestReaderErrorsNameRelativeKey(t *testing.T) {
	inner := mem.New()
	defer inner.Close()
	v, err := prefix.New(failingGet{inner}, "view/")
	require.NoError(t, err)
	rc, info, err := v.Get(context.Background(), "a/b", backend.WholeObject)
	require.NoError(t, err)
	assert.Equal(t, "a/b", info.Key)
	_, err = io.ReadAll(rc)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	require.ErrorIs(t, err, errBroken, "the native cause is kept")
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "a/b", be.Key)
	require.NoError(t, rc.Close())
}

// CheckKey adds the view's length limit to the inner backend's own check
// (fs: a file name is at most 255 bytes).
func TestCheckKey(t *testing.T) {
	inner, err := fs.New(t.TempDir())
	require.NoError(t, err)
	defer inner.Close()
	v, err := prefix.New(inner, "view/")
	require.NoError(t, err)
	kc, ok := backend.As[backend.KeyChecker](v)
	require.True(t, ok)
	require.NoError(t, kc.CheckKey("put", "a/b"))
	for _, k := range []string{strings.Repeat("s", 256), "a/" + strings.Repeat("s", 256), strings.Repeat("s/", 510)} {
		err := kc.CheckKey("put", k)
		require.ErrorIs(t, err, backend.ErrInvalidKey, "%q", k)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, k, be.Key)
	}

	m := mem.New()
	defer m.Close()
	mv, err := prefix.New(m, "view/")
	require.NoError(t, err)
	kc, _ = backend.As[backend.KeyChecker](mv)
	require.NoError(t, kc.CheckKey("put", strings.Repeat("k", backend.MaxKeyLen-5)))
	require.ErrorIs(t, kc.CheckKey("put", strings.Repeat("k", backend.MaxKeyLen-4)), backend.ErrInvalidKey)
	require.ErrorIs(t, kc.CheckKey("put", "../a"), backend.ErrInvalidKey)
}

// A view of a view adds both prefixes.
func TestNested(t *testing.T) {
	ctx := context.Background()
	inner := mem.New()
	defer inner.Close()
	a, err := prefix.New(inner, "a/")
	require.NoError(t, err)
	ab, err := prefix.New(a, "b/")
	require.NoError(t, err)
	_, err = ab.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"a/b/k"}, listAll(t, inner, ""))
	assert.Equal(t, []string{"b/k"}, listAll(t, a, ""))
	assert.Equal(t, []string{"k"}, listAll(t, ab, ""))
	_, err = ab.Stat(ctx, "nope")
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "nope", be.Key)
}
