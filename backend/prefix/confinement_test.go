package prefix_test

import (
	"context"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/prefix"
)

// inners are the stores the confinement tests run on: mem, a flat
// namespace, and fs, which resolves keys to paths.
var inners = map[string]func(t *testing.T) backend.Backend{
	"mem": func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { b.Close() })
		return b
	},
	"fs": func(t *testing.T) backend.Backend {
		b, err := fs.New(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		return b
	},
}

// inside are the keys of the view in confinement tests, as the inner
// backend holds them.
var inside = []string{"view/in1", "view/sub/in2"}

// confined returns inner (with the neighbours and the inside keys) and a
// view of it at "view/".
func confined(t *testing.T, newInner func(*testing.T) backend.Backend) (inner, view backend.Backend) {
	t.Helper()
	inner = newInner(t)
	seed(t, inner, "")
	for _, k := range inside {
		_, err := inner.Put(context.Background(), k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))})
		require.NoError(t, err)
	}
	view, err := prefix.New(inner, "view/")
	require.NoError(t, err)
	t.Cleanup(func() { view.Close() })
	return inner, view
}

// crafted are keys that would name something outside the view if the view
// only glued strings together; every one is invalid.
var crafted = []string{
	"..", "../a", "../view0/b", "../../a", "/a", "./a", `..\a`, `a\..\..\a`, "sub/../../a",
	" .. /a", "a/", "", "../view/in1",
}

func TestConfinement(t *testing.T) {
	for name, newInner := range inners {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			inner, view := confined(t, newInner)
			innerKeys := listAll(t, inner, "")

			t.Run("list", func(t *testing.T) {
				assert.Equal(t, []string{"in1", "sub/in2"}, listAll(t, view, ""))
				assert.Equal(t, []string{"sub/in2"}, listAll(t, view, "sub/"))
				assert.Empty(t, listAll(t, view, "a"), "inner key a is not the view's a")
				assert.Empty(t, listAll(t, view, "view"), "nor is view/view...")
			})

			t.Run("crafted-keys", func(t *testing.T) {
				for _, k := range crafted {
					_, err := view.Put(ctx, k, strings.NewReader("x"), backend.PutOptions{Size: 1})
					assert.ErrorIs(t, err, backend.ErrInvalidKey, "put %q", k)
					_, _, err = view.Get(ctx, k, backend.WholeObject)
					assert.ErrorIs(t, err, backend.ErrInvalidKey, "get %q", k)
					_, err = view.Stat(ctx, k)
					assert.ErrorIs(t, err, backend.ErrInvalidKey, "stat %q", k)
					assert.ErrorIs(t, view.Remove(ctx, k), backend.ErrInvalidKey, "remove %q", k)
					if kc, ok := backend.As[backend.KeyChecker](view); assert.True(t, ok) {
						assert.ErrorIs(t, kc.CheckKey("put", k), backend.ErrInvalidKey, "check %q", k)
					}
				}
				for _, p := range []string{"..", "../", "../a", "/", "/a", "./", `..\`, "a//"} {
					_, err := view.List(ctx, backend.ListOptions{Prefix: p})
					assert.ErrorIs(t, err, backend.ErrInvalidKey, "list %q", p)
				}
				assert.Equal(t, innerKeys, listAll(t, inner, ""), "the inner store is unchanged")
			})

			t.Run("outside-names", func(t *testing.T) {
				// Valid keys that name neighbours in the inner store name
				// nothing in the view.
				for _, k := range neighbours {
					_, err := view.Stat(ctx, k)
					assert.ErrorIs(t, err, backend.ErrNotFound, "stat %q", k)
					_, _, err = view.Get(ctx, k, backend.WholeObject)
					assert.ErrorIs(t, err, backend.ErrNotFound, "get %q", k)
					assert.NoError(t, view.Remove(ctx, k), "remove %q", k)
				}
				checkNeighbours(t, inner, "")
				assert.Equal(t, innerKeys, listAll(t, inner, ""))
			})

			t.Run("tokens", func(t *testing.T) {
				// Tokens of listings of the inner store outside the view,
				// and made-up ones, never list anything outside it.
				tokens := []string{"", "a", "v", "view", "view/", "view0", "viewz", "zzz", "~", "\xff", "!!junk!!", "view/in1", "view/zzz"}
				for _, p := range []string{"", "v", "view0/", "zzz/"} {
					tok := ""
					for {
						page, err := inner.List(ctx, backend.ListOptions{Prefix: p, PageSize: 1, Token: tok})
						require.NoError(t, err)
						if tok = page.NextToken; tok == "" {
							break
						}
						tokens = append(tokens, tok)
					}
				}
				for _, tok := range tokens {
					for _, p := range []string{"", "sub/", "in"} {
						keys, err := listWith(view, p, tok, 1)
						if err != nil {
							assert.ErrorIs(t, err, backend.ErrInvalidArgument, "token %q", tok)
							continue
						}
						for _, k := range keys {
							assert.Contains(t, []string{"in1", "sub/in2"}, k, "token %q, prefix %q", tok, p)
						}
					}
				}
			})

			t.Run("listed-keys", func(t *testing.T) {
				// The keys of a listing are taken as they are, but never
				// one that climbs out with "." or ".." (TestListedKeysCannotClimb).
				br, ok := backend.As[backend.BatchRemover](view)
				require.True(t, ok)
				bad := []string{"../a", `..\a`, "sub/../../a", " .. /a", "./../a", ""}
				err := br.RemoveMany(backend.WithListedKeys(ctx), bad)
				assert.ErrorIs(t, err, backend.ErrInvalidKey)
				assert.Equal(t, sorted(bad), errKeys(err), "one error per key, naming it")
				err = br.RemoveMany(ctx, bad)
				assert.ErrorIs(t, err, backend.ErrInvalidKey)
				checkNeighbours(t, inner, "")
				assert.Equal(t, innerKeys, listAll(t, inner, ""))
			})

			t.Run("remove-objects", func(t *testing.T) {
				// Last: the client's removal of the whole view removes its
				// objects and nothing else.
				c := objstore.New(view)
				require.NoError(t, c.RemoveObjects(ctx, ""))
				assert.Empty(t, listAll(t, view, ""))
				checkNeighbours(t, inner, "")
				var rest []string
				for _, k := range innerKeys {
					if !strings.HasPrefix(k, "view/") {
						rest = append(rest, k)
					}
				}
				assert.Equal(t, rest, listAll(t, inner, ""))
			})
		})
	}
}

// A client over a view keeps stream objects inside it: the chunks and the
// marker are keys of the view.
func TestStreamsStayInside(t *testing.T) {
	ctx := context.Background()
	inner, view := confined(t, inners["mem"])
	c := objstore.New(view)
	w, err := c.PutStreamObject(ctx, "s/eth0", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("one"))
	require.NoError(t, err)
	_, err = w.Write([]byte("two"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	for _, k := range listAll(t, inner, "") {
		if strings.Contains(k, "eth0") {
			assert.True(t, strings.HasPrefix(k, "view/s/eth0/"), "stream key %q is inside the view", k)
		}
	}
	rc, err := c.OpenStream(ctx, "s/eth0", 0)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "onetwo", string(data))
}

// resolving is an inner backend whose RemoveMany resolves keys as paths,
// taking the keys of a listing as they are: "view/../a" removes "a".
// (No driver of ours does; a view must not depend on that.)
type resolving struct{ backend.Backend }

func (r resolving) RemoveMany(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := r.Remove(ctx, path.Clean(k)); err != nil {
			return err
		}
	}
	return nil
}

func TestListedKeysCannotClimb(t *testing.T) {
	ctx := backend.WithListedKeys(context.Background())
	inner, _ := confined(t, inners["mem"])
	v, err := prefix.New(resolving{inner}, "view/")
	require.NoError(t, err)
	br, ok := backend.As[backend.BatchRemover](v)
	require.True(t, ok)
	bad := []string{"../a", "sub/../../v", "../view0/b", "./../vie"}
	err = br.RemoveMany(ctx, bad)
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.Equal(t, sorted(bad), errKeys(err))
	checkNeighbours(t, inner, "")
	require.ErrorIs(t, br.RemoveMany(ctx, []string{"sub/../in1"}), backend.ErrInvalidKey, "any '..', even one that stays inside")
	require.NoError(t, br.RemoveMany(ctx, []string{"in1"}))
	_, err = inner.Stat(context.Background(), "view/in1")
	require.ErrorIs(t, err, backend.ErrNotFound)
}
