package clienttest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

var objectCases = []testCase{
	{"object/put-get-metadata", testPutGetMetadata},
	{"object/put-unknown-size", testPutUnknownSize},
	{"object/put-empty-and-nil-map", testPutEmpty},
	{"object/put-nil-reader", testPutNilReader},
	{"object/put-failing-reader", testPutFailingReader},
	{"object/put-with-options", testPutWith},
	{"object/get-missing", testGetMissing},
	{"object/get-range", testGetRange},
	{"object/stat", testStat},
	{"object/remove", testRemoveObject},
	{"object/invalid-keys-before-io", testInvalidKeys},
	{"object/closed-client", testClosedClient},
}

func testPutGetMetadata(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	meta := map[string]string{"Host": "probe-1", "capture-id": "ü-42"}
	data := strings.Repeat("packet ", 1000)
	n, err := c.PutObject(ctx, "captures/a.pcap", bytes.NewBufferString(data), meta)
	require.NoError(t, err)
	assert.EqualValues(t, len(data), n)
	assert.Equal(t, data, getString(t, ctx, c, "captures/a.pcap"))

	st, err := c.StatObject(ctx, "captures/a.pcap")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": "probe-1", "capture-id": "ü-42"}, st.Metadata,
		"metadata keys are lower-cased, values kept")
	assert.False(t, st.IsStream)

	// Overwrite: the new bytes and the new metadata replace the old.
	putString(t, ctx, c, "captures/a.pcap", "v2", map[string]string{"v": "2"})
	assert.Equal(t, "v2", getString(t, ctx, c, "captures/a.pcap"))
	st, err = c.StatObject(ctx, "captures/a.pcap")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"v": "2"}, st.Metadata)
	assert.EqualValues(t, 2, st.Size)
}

func testPutUnknownSize(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	// A reader that hides its size and delivers one byte per Read: the
	// client passes Size -1 and the driver streams it.
	want := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	r := iotest.OneByteReader(io.MultiReader(strings.NewReader(want[:100]), strings.NewReader(want[100:])))
	n, err := c.PutObject(ctx, "big/unknown", r, nil)
	require.NoError(t, err)
	assert.EqualValues(t, len(want), n)
	assert.Equal(t, want, getString(t, ctx, c, "big/unknown"))

	// Readers that know their size: *bytes.Reader part-way read.
	br := bytes.NewReader([]byte("skip|keep"))
	_, err = br.Seek(5, io.SeekStart)
	require.NoError(t, err)
	n, err = c.PutObject(ctx, "big/partial", br, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 4, n)
	assert.Equal(t, "keep", getString(t, ctx, c, "big/partial"))
}

func testPutEmpty(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	n, err := c.PutObject(ctx, "empty", strings.NewReader(""), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 0, n)
	assert.Equal(t, "", getString(t, ctx, c, "empty"))
	st, err := c.StatObject(ctx, "empty")
	require.NoError(t, err)
	assert.EqualValues(t, 0, st.Size)
	assert.Empty(t, st.Metadata)
	assert.Equal(t, backend.DefaultContentType, st.ContentType)

	// An unknown-size reader that delivers nothing.
	n, err = c.PutObject(ctx, "empty2", iotest.OneByteReader(strings.NewReader("")), map[string]string{})
	require.NoError(t, err)
	assert.EqualValues(t, 0, n)
	keys, err := c.ListObjects(ctx, "empty")
	require.NoError(t, err)
	assert.Equal(t, []string{"empty", "empty2"}, keys)
}

func testPutNilReader(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b}
	c := newClient(cb)
	_, err := c.PutObject(ctx, "nil", nil, nil)
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "nil")
	var nilBuf *bytes.Buffer
	_, err = c.PutObject(ctx, "nil", nilBuf, nil)
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "nil")
	_, err = c.PutObjectWith(ctx, "nil", nil, backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	assert.Zero(t, cb.total(), "a nil reader is refused before any I/O")
}

func testPutFailingReader(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	boom := errors.New("source broke")
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 10000)), iotest.ErrReader(boom))
	_, err := c.PutObject(ctx, "broken", r, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, boom, "the reader's error is returned, wrapped")
	_, err = c.StatObject(ctx, "broken")
	assert.ErrorIs(t, err, objstore.ErrNotFound, "a failed put leaves no object")
}

func testPutWith(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	info, err := c.PutObjectWith(ctx, "doc.json", strings.NewReader(`{"a":1}`),
		backend.PutOptions{Size: 7, ContentType: "application/json", Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.EqualValues(t, 7, info.Size)
	st, err := c.StatObject(ctx, "doc.json")
	require.NoError(t, err)
	assert.Equal(t, "application/json", st.ContentType)
	assert.Equal(t, map[string]string{"k": "v"}, st.Metadata)

	// A size that does not match the reader stores nothing.
	_, err = c.PutObjectWith(ctx, "short", strings.NewReader("abc"), backend.PutOptions{Size: 10})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	_, err = c.StatObject(ctx, "short")
	require.ErrorIs(t, err, objstore.ErrNotFound)

	// Create-only.
	_, err = c.PutObjectWith(ctx, "doc.json", strings.NewReader("x"), backend.PutOptions{Size: 1, IfNotExist: true})
	if errors.Is(err, objstore.ErrNotSupported) {
		t.Log("the backend cannot make create-only puts")
	} else {
		requireErrorNames(t, err, objstore.ErrExist, "doc.json")
	}
	assert.Equal(t, `{"a":1}`, getString(t, ctx, c, "doc.json"), "a refused create-only put changes nothing")

	// Bad metadata is refused.
	_, err = c.PutObject(ctx, "badmeta", strings.NewReader("x"), map[string]string{"bad key": "v"})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
}

func testGetMissing(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	_, err := c.GetObject(ctx, "no/such/object")
	requireErrorNames(t, err, objstore.ErrNotFound, "no/such/object")
	_, err = c.GetObjectRange(ctx, "no/such/object", 0, 1)
	require.ErrorIs(t, err, objstore.ErrNotFound)
	_, err = c.StatObject(ctx, "no/such/object")
	requireErrorNames(t, err, objstore.ErrNotFound, "no/such/object")
}

func testGetRange(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	putString(t, ctx, c, "r", "0123456789", nil)
	for _, tc := range []struct {
		off, n int64
		want   string
	}{
		{0, 10, "0123456789"},
		{2, 3, "234"},
		{5, -1, "56789"},
		{8, 100, "89"},
		{10, 5, ""},
		{3, 0, ""},
	} {
		rc, err := c.GetObjectRange(ctx, "r", tc.off, tc.n)
		require.NoError(t, err, "range %d+%d", tc.off, tc.n)
		assert.Equal(t, tc.want, readAll(t, rc), "range %d+%d", tc.off, tc.n)
	}
	_, err := c.GetObjectRange(ctx, "r", 11, 1)
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "r")

	cb := &counting{Backend: b}
	_, err = newClient(cb).GetObjectRange(ctx, "r", -1, 1)
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	assert.Zero(t, cb.total(), "a negative offset is refused before any I/O")
}

func testStat(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	before := time.Now().Add(-time.Minute)
	putString(t, ctx, c, "s/obj", "hello", map[string]string{"a": "1"})
	st, err := c.StatObject(ctx, "s/obj")
	require.NoError(t, err)
	assert.EqualValues(t, 5, st.Size)
	assert.Equal(t, backend.DefaultContentType, st.ContentType)
	assert.Equal(t, map[string]string{"a": "1"}, st.Metadata)
	assert.NotEmpty(t, st.ETag)
	assert.True(t, st.LastModified.After(before), "LastModified %v is recent", st.LastModified)
	assert.False(t, st.IsStream)
	assert.False(t, st.InProgress)
	assert.Zero(t, st.Chunks)

	// A prefix of existing keys is not an object.
	_, err = c.StatObject(ctx, "s")
	require.ErrorIs(t, err, objstore.ErrNotFound)
}

func testRemoveObject(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	putString(t, ctx, c, "rm/a", "a", nil)
	putString(t, ctx, c, "rm/ab", "ab", nil)
	require.NoError(t, c.RemoveObject(ctx, "rm/a"))
	_, err := c.GetObject(ctx, "rm/a")
	require.ErrorIs(t, err, objstore.ErrNotFound)
	assert.Equal(t, "ab", getString(t, ctx, c, "rm/ab"), "RemoveObject removes one key, not a prefix")
	require.NoError(t, c.RemoveObject(ctx, "rm/a"), "removing a missing object is not an error")
}

// invalidKeys are refused by every method, with ErrInvalidKey, before the
// backend is called.
var invalidKeys = []string{"", "/a", "a/", "a//b", ".", "..", "a/../b", "a/./b", "a\x00b", "a\nb", "\xff", strings.Repeat("k", 1025)}

func testInvalidKeys(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b}
	c := newClient(cb)
	for _, key := range invalidKeys {
		calls := map[string]error{}
		_, calls["PutObject"] = c.PutObject(ctx, key, strings.NewReader("x"), nil)
		_, calls["PutObjectWith"] = c.PutObjectWith(ctx, key, strings.NewReader("x"), backend.PutOptions{Size: 1})
		_, calls["GetObject"] = c.GetObject(ctx, key)
		_, calls["GetObjectRange"] = c.GetObjectRange(ctx, key, 0, 1)
		_, calls["StatObject"] = c.StatObject(ctx, key)
		calls["RemoveObject"] = c.RemoveObject(ctx, key)
		_, calls["PutStreamObject"] = c.PutStreamObject(ctx, key, nil)
		_, calls["GetStreamObjectAtOffset"] = c.GetStreamObjectAtOffset(ctx, key, 0)
		_, calls["OpenStream"] = c.OpenStream(ctx, key, 0)
		_, calls["PresignGet"] = c.PresignGet(ctx, key, time.Minute)
		for method, err := range calls {
			assert.ErrorIs(t, err, objstore.ErrInvalidKey, "%s(%q)", method, key)
		}
	}
	for _, prefix := range []string{"/a", "../", "a/../", "./x", "a//", "a\x00"} {
		_, err := c.ListObjects(ctx, prefix)
		assert.ErrorIs(t, err, objstore.ErrInvalidKey, "ListObjects(%q)", prefix)
		assert.ErrorIs(t, c.RemoveObjects(ctx, prefix), objstore.ErrInvalidKey, "RemoveObjects(%q)", prefix)
		for _, err := range c.Objects(ctx, prefix) {
			assert.ErrorIs(t, err, objstore.ErrInvalidKey, "Objects(%q)", prefix)
		}
	}
	// A stream name whose chunk keys would be too long.
	_, err := c.PutStreamObject(ctx, strings.Repeat("s", 1000), nil)
	assert.ErrorIs(t, err, objstore.ErrInvalidKey)
	assert.Zero(t, cb.total(), "invalid keys and prefixes are refused before any I/O")
}

func testClosedClient(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &closable{Backend: b}
	c := newClient(cb)
	putString(t, ctx, c, "k", "v", nil)
	require.NoError(t, c.Close())
	require.True(t, cb.closed.Load(), "Client.Close closes the backend")
	require.NoError(t, c.Close(), "Close is idempotent")
	_, err := c.GetObject(ctx, "k")
	assert.ErrorIs(t, err, objstore.ErrClosed)
	_, err = c.PutObject(ctx, "k", strings.NewReader("x"), nil)
	assert.ErrorIs(t, err, objstore.ErrClosed)
	_, err = c.ListObjects(ctx, "")
	assert.ErrorIs(t, err, objstore.ErrClosed)
	_, err = c.PutStreamObject(ctx, "st", nil)
	assert.ErrorIs(t, err, objstore.ErrClosed)
}
