package clienttest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

var listDirCases = []testCase{
	{"list/directory-streams-as-entries", testListDirStreams},
	{"list/directory-pages-and-start-after", testListDirPages},
	{"list/directory-request-count", testListDirRequests},
}

// entryNames renders entries as "key" for objects, "key/" for prefixes
// (their key already ends with it) and "key*" for streams.
func entryNames(t *testing.T, seq func(yield func(objstore.Entry, error) bool)) []string {
	t.Helper()
	var out []string
	for e, err := range seq {
		require.NoError(t, err)
		switch {
		case e.IsStream:
			assert.False(t, e.IsPrefix, "%q is a stream and a prefix", e.Key)
			out = append(out, e.Key+"*")
		case e.IsPrefix:
			out = append(out, e.Key)
		default:
			assert.Equal(t, e.Key, e.Object.Key, "an object entry's key and its Object.Key")
			out = append(out, e.Key)
		}
	}
	return out
}

func testListDirStreams(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	for _, k := range []string{"d/a", "d/sub/x", "d/sub/y/z", "d/z", "d/cap-x", "d/cap0", "other"} {
		putString(t, ctx, c, k, k, nil)
	}
	// A closed stream with chunks, a live one with a chunk, a live one
	// before its first chunk, and a stream nested in a folder.
	closed, err := c.PutStreamObject(ctx, "d/cap", nil)
	require.NoError(t, err)
	for range 3 {
		_, err = closed.Write([]byte("chunk"))
		require.NoError(t, err)
	}
	require.NoError(t, closed.Close())
	live, err := c.PutStreamObject(ctx, "d/live", nil)
	require.NoError(t, err)
	_, err = live.Write([]byte("one"))
	require.NoError(t, err)
	defer live.Close()
	empty, err := c.PutStreamObject(ctx, "d/new", nil)
	require.NoError(t, err)
	defer empty.Close()
	nested, err := c.PutStreamObject(ctx, "d/sub/eth0", nil)
	require.NoError(t, err)
	_, err = nested.Write([]byte("x"))
	require.NoError(t, err)
	require.NoError(t, nested.Close())

	want := []string{"d/a", "d/cap-x", "d/cap*", "d/cap0", "d/live*", "d/new*", "d/sub/", "d/z"}
	assert.Equal(t, want, entryNames(t, c.List(ctx, "d/", objstore.ListOptions{})),
		"one entry per object, folder and stream (a stream sorts as NAME/)")
	assert.Equal(t, []string{"d/"}, entryNames(t, c.List(ctx, "d", objstore.ListOptions{})), "a partial name")
	assert.Equal(t, []string{"d/", "other"}, entryNames(t, c.List(ctx, "", objstore.ListOptions{})), "the top level")
	assert.Equal(t, []string{"d/sub/eth0*", "d/sub/x", "d/sub/y/"}, entryNames(t, c.List(ctx, "d/sub/", objstore.ListOptions{})),
		"a nested stream")
	assert.Equal(t, []string{"d/a", "d/cap-x", "d/cap/", "d/cap0", "d/live/", "d/new/", "d/sub/", "d/z"},
		entryNames(t, c.List(ctx, "d/", objstore.ListOptions{PlainPrefixes: true})), "PlainPrefixes: streams are prefixes")
	assert.Empty(t, entryNames(t, c.List(ctx, "d/nothing/", objstore.ListOptions{})), "a missing folder")

	// Resuming after a stream entry: its key plus "/".
	assert.Equal(t, []string{"d/cap0", "d/live*", "d/new*", "d/sub/", "d/z"},
		entryNames(t, c.List(ctx, "d/", objstore.ListOptions{StartAfter: "d/cap/"})), "StartAfter a stream")
	assert.Equal(t, []string{"d/z"},
		entryNames(t, c.List(ctx, "d/", objstore.ListOptions{StartAfter: "d/sub/"})), "StartAfter a folder")

	// Recursive: flat, as Objects lists.
	flat, err := c.ListObjects(ctx, "d/sub/")
	require.NoError(t, err)
	assert.Equal(t, flat, entryNames(t, c.List(ctx, "d/sub/", objstore.ListOptions{Recursive: true})), "Recursive is Objects")

	// A stream entry opens as a stream.
	for e, err := range c.List(ctx, "d/", objstore.ListOptions{StartAfter: "d/cap-x"}) {
		require.NoError(t, err)
		require.True(t, e.IsStream, "%q", e.Key)
		rc, err := c.OpenStream(ctx, e.Key, 0)
		require.NoError(t, err)
		assert.Equal(t, "chunkchunkchunk", readAll(t, rc))
		break // the consumer stops: nothing may keep running
	}

	// An invalid prefix is one error.
	n := 0
	for _, err := range c.List(ctx, "../", objstore.ListOptions{}) {
		n++
		require.ErrorIs(t, err, objstore.ErrInvalidKey)
	}
	assert.Equal(t, 1, n)
}

// testListDirPages lists one level of more entries than a page holds
// (manyKeysFor: 1100, 120 with -short), with folders among them.
func testListDirPages(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	n := manyKeysFor()
	keys := putMany(t, ctx, c, "p/", n)
	for i := 0; i < n; i += n / 10 {
		putString(t, ctx, c, fmt.Sprintf("p/%05d-d/inner", i), "x", nil) // a folder between two objects
	}
	var want []string
	for i, k := range keys {
		want = append(want, k)
		if i%(n/10) == 0 {
			want = append(want, k+"-d/")
		}
	}
	got := entryNames(t, c.List(ctx, "p/", objstore.ListOptions{}))
	assert.Equal(t, want, got, "every object and folder once, in order, across pages")

	for _, i := range []int{0, 1, n / 2, n - 1} {
		after := want[i]
		assert.Equal(t, want[i+1:], entryNames(t, c.List(ctx, "p/", objstore.ListOptions{StartAfter: after})), "after %q", after)
	}
}

// testListDirRequests counts the backend calls of a directory listing of
// 10 folders holding manyKeysFor() keys: one List page, plus the stream
// check of each folder (a Stat and a List), never a page per 1000 keys.
func testListDirRequests(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	n := manyKeysFor()
	c := newClient(b)
	for f := range 10 {
		putMany(t, ctx, c, fmt.Sprintf("r/f%d/", f), n/10)
	}
	putString(t, ctx, c, "r/top", "x", nil)
	cb := &counting{Backend: b}
	cc := newClient(cb)
	want := []string{"r/f0/", "r/f1/", "r/f2/", "r/f3/", "r/f4/", "r/f5/", "r/f6/", "r/f7/", "r/f8/", "r/f9/", "r/top"}
	assert.Equal(t, want, entryNames(t, cc.List(ctx, "r/", objstore.ListOptions{PlainPrefixes: true})))
	assert.Equal(t, int64(1), cb.total(), "PlainPrefixes: one List and nothing else")

	cb.lists.Store(0)
	cb.stats.Store(0)
	assert.Equal(t, want, entryNames(t, cc.List(ctx, "r/", objstore.ListOptions{})))
	assert.Equal(t, int64(10), cb.stats.Load(), "one marker Stat per folder")
	assert.Equal(t, int64(1+10), cb.lists.Load(), "one page, and one chunk listing per folder")
}
