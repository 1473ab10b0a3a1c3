package clienttest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// manyKeys is more than one page (backend.DefaultPageSize) and more than
// one removal batch. Under go test -short the listing and removal checks
// store shortKeys instead, which keeps them quick on network drivers but
// leaves the page and batch boundaries untested.
const (
	manyKeys  = 1100
	shortKeys = 120
)

func manyKeysFor() int {
	if testing.Short() {
		return shortKeys
	}
	return manyKeys
}

var listCases = []testCase{
	{"list/list-objects", testListObjects},
	{"list/objects-pages-and-early-break", testObjectsPages},
	{"remove/prefix-batches", testRemoveBatches},
	{"remove/prefix-one-by-one", testRemoveOneByOne},
	{"remove/reports-every-failed-key", testRemoveFailures},
	{"remove/empty-prefix-removes-all", testRemoveAll},
}

func testListObjects(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	for _, k := range []string{"l/b", "l/a/2", "l/a/10", "l/a/1", "l/c", "m/x", "l-other"} {
		putString(t, ctx, c, k, k, nil)
	}
	keys, err := c.ListObjects(ctx, "l/")
	require.NoError(t, err)
	assert.Equal(t, []string{"l/a/1", "l/a/10", "l/a/2", "l/b", "l/c"}, keys, "lexical order, every depth")
	keys, err = c.ListObjects(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, []string{"l-other", "l/a/1", "l/a/10", "l/a/2", "l/b", "l/c"}, keys, "a prefix need not end at '/'")
	keys, err = c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Len(t, keys, 7)
	keys, err = c.ListObjects(ctx, "nothing/")
	require.NoError(t, err)
	assert.Empty(t, keys)

	// A stream shows as its raw keys.
	w, err := c.PutStreamObject(ctx, "l/stream", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("x"))
	require.NoError(t, err)
	keys, err = c.ListObjects(ctx, "l/stream")
	require.NoError(t, err)
	assert.Equal(t, []string{"l/stream/.inprogress", "l/stream/stream.0"}, keys)
	require.NoError(t, w.Close())
}

// testObjectsPages stores more than one page of keys, then checks that
// Objects walks them all in order, across pages, and that a consumer who
// stops early makes no List call beyond the page it stopped in.
func testObjectsPages(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b}
	c := newClient(cb)
	n := manyKeysFor()
	want := putMany(t, ctx, c, "p/", n)
	putString(t, ctx, c, "q", "outside the prefix", nil)
	lists := cb.lists.Load()
	var got []string
	for o, err := range c.Objects(ctx, "p/") {
		require.NoError(t, err)
		got = append(got, o.Key)
		assert.EqualValues(t, len(o.Key), o.Size)
	}
	assert.Equal(t, want, got, "every key once, in order, across pages")
	if n > backend.DefaultPageSize {
		assert.GreaterOrEqual(t, cb.lists.Load()-lists, int64(2), "more than one page was listed")
	}
	keys, err := c.ListObjects(ctx, "p/")
	require.NoError(t, err)
	assert.Equal(t, want, keys)

	// A page holds at most DefaultPageSize keys, maybe fewer (the S3
	// drivers return 999 so that one request fills a page): stopping at
	// the last key of the first page needs that page only.
	first, err := b.List(ctx, backend.ListOptions{Prefix: "p/"})
	require.NoError(t, err)
	for _, stopAt := range []int{1, 3, len(first.Objects)} {
		before := cb.lists.Load()
		i := 0
		for o, err := range c.Objects(ctx, "p/") {
			require.NoError(t, err)
			assert.Equal(t, want[i], o.Key)
			i++
			if i == stopAt {
				break
			}
		}
		assert.Equal(t, stopAt, i)
		assert.EqualValues(t, 1, cb.lists.Load()-before, "stopping at %d needs one page", stopAt)
	}
}

func testRemoveBatches(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	bb := &batching{counting: counting{Backend: b}}
	c := newClient(bb)
	n := manyKeysFor()
	putMany(t, ctx, c, "del/", n)
	putString(t, ctx, c, "keep/1", "k", nil)
	putString(t, ctx, c, "dele", "not under del/", nil)
	require.NoError(t, c.RemoveObjects(ctx, "del/"))
	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"dele", "keep/1"}, keys)
	total := 0
	for _, n := range bb.batches {
		assert.LessOrEqual(t, n, 1000, "a batch holds at most 1000 keys")
		total += n
	}
	assert.Equal(t, n, total)
	if n > 1000 {
		assert.GreaterOrEqual(t, len(bb.batches), 2)
	}
	assert.Zero(t, bb.removes.Load(), "with a BatchRemover no single Remove is made")

	require.NoError(t, c.RemoveObjects(ctx, "del/"), "removing nothing is not an error")
}

func testRemoveOneByOne(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b} // hides any BatchRemover
	c := newClient(cb)
	putMany(t, ctx, c, "one/", 30)
	putString(t, ctx, c, "other", "o", nil)
	require.NoError(t, c.RemoveObjects(ctx, "one/"))
	assert.EqualValues(t, 30, cb.removes.Load())
	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"other"}, keys)
}

func testRemoveFailures(t *testing.T, b backend.Backend) {
	for _, tc := range []struct {
		name string
		wrap backend.Backend
	}{
		{"one-by-one", &failing{Backend: b}},
		{"batch", &failingBatch{failing{Backend: b}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			c := newClient(tc.wrap)
			prefix := "f-" + tc.name + "/"
			var denyKeys []string
			for i := range 20 {
				k := fmt.Sprintf("%s%02d", prefix, i)
				if i%7 == 3 {
					k += "-deny"
					denyKeys = append(denyKeys, k)
				}
				putString(t, ctx, c, k, "x", nil)
			}
			err := c.RemoveObjects(ctx, prefix)
			require.Error(t, err)
			require.ErrorIs(t, err, objstore.ErrPermission)
			var joined interface{ Unwrap() []error }
			require.True(t, errors.As(err, &joined), "the error is an errors.Join")
			for _, k := range denyKeys {
				assert.Contains(t, err.Error(), k, "every key that could not be removed is reported")
			}
			keys, lerr := c.ListObjects(ctx, prefix)
			require.NoError(t, lerr)
			assert.Equal(t, denyKeys, keys, "every other key was removed")
			// Clean up through the real backend.
			require.NoError(t, newClient(b).RemoveObjects(ctx, prefix))
		})
	}
}

func testRemoveAll(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	for _, k := range []string{"a", "b/c", "d/e/f"} {
		putString(t, ctx, c, k, k, nil)
	}
	w, err := c.PutStreamObject(ctx, "s/cap", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("chunk"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.RemoveObjects(ctx, ""))
	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, keys, "an empty prefix removes everything, streams included")
	_, err = c.StatObject(ctx, "s/cap")
	assert.ErrorIs(t, err, objstore.ErrNotFound)
}
