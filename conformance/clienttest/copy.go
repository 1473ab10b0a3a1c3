package clienttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// Client.CopyObject: plain objects (inside the store and streamed through
// the client), stream objects, and the refusals.
var copyCases = []testCase{
	{"copy/plain-object", testCopyPlain},
	{"copy/stream-object", testCopyStream},
	{"copy/live-stream-refused", testCopyLiveStream},
}

func testCopyPlain(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	data := strings.Repeat("copy me ", 4096)
	meta := map[string]string{"owner": "a"}
	_, err := c.PutObjectWith(ctx, "cp/src", strings.NewReader(data), backend.PutOptions{Size: int64(len(data)), ContentType: "text/plain", Metadata: meta})
	require.NoError(t, err)

	_, err = c.CopyObject(ctx, "cp/other-src", "cp/dst", objstore.CopyOptions{IfNotExist: true})
	requireErrorNames(t, err, objstore.ErrNotFound, "cp/other-src")
	putString(t, ctx, c, "cp/other-src", "other", nil)
	for _, streaming := range []bool{false, true} {
		dst := "cp/dst"
		if streaming {
			dst = "cp/dst-streamed"
		}
		info, err := c.CopyObject(ctx, "cp/src", dst, objstore.CopyOptions{Streaming: streaming})
		require.NoError(t, err, "copy (streaming %v)", streaming)
		assert.Equal(t, dst, info.Key)
		assert.EqualValues(t, len(data), info.Size)
		assert.False(t, info.Stream)
		if streaming {
			assert.False(t, info.ServerSide, "Streaming copies through the client")
		} else if _, ok := backend.As[backend.Copier](b); !ok {
			assert.False(t, info.ServerSide, "a backend without a Copier can only stream")
		}
		assert.Equal(t, data, getString(t, ctx, c, dst))
		st, err := c.StatObject(ctx, dst)
		require.NoError(t, err)
		assert.Equal(t, "text/plain", st.ContentType)
		assert.Equal(t, meta, st.Metadata)

		// Create-only onto the copy: refused, unchanged.
		_, err = c.CopyObject(ctx, "cp/other-src", dst, objstore.CopyOptions{IfNotExist: true, Streaming: streaming})
		if !errors.Is(err, objstore.ErrNotSupported) {
			requireErrorNames(t, err, objstore.ErrExist, dst)
		}
		assert.Equal(t, data, getString(t, ctx, c, dst), "a refused create-only copy changes nothing")
	}

	// New metadata, a new content type, or both; the other is kept.
	_, err = c.CopyObject(ctx, "cp/src", "cp/new-meta", objstore.CopyOptions{Metadata: map[string]string{"Owner": "b"}})
	require.NoError(t, err)
	st, err := c.StatObject(ctx, "cp/new-meta")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"owner": "b"}, st.Metadata)
	assert.Equal(t, "text/plain", st.ContentType, "the content type is kept")
	_, err = c.CopyObject(ctx, "cp/src", "cp/new-type", objstore.CopyOptions{ContentType: "text/csv", Metadata: map[string]string{}})
	require.NoError(t, err)
	st, err = c.StatObject(ctx, "cp/new-type")
	require.NoError(t, err)
	assert.Empty(t, st.Metadata, "an empty map stores no metadata")
	assert.Equal(t, "text/csv", st.ContentType)
	assert.Equal(t, data, getString(t, ctx, c, "cp/new-type"))

	// Onto itself: only with new attributes.
	_, err = c.CopyObject(ctx, "cp/src", "cp/src", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "cp/src")
	_, err = c.CopyObject(ctx, "cp/src", "cp/src", objstore.CopyOptions{Metadata: map[string]string{"owner": "self"}})
	require.NoError(t, err)
	st, err = c.StatObject(ctx, "cp/src")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"owner": "self"}, st.Metadata)
	assert.Equal(t, data, getString(t, ctx, c, "cp/src"))

	// A missing source names the source; a reserved destination is refused.
	_, err = c.CopyObject(ctx, "cp/missing", "cp/x", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrNotFound, "cp/missing")
	_, err = c.CopyObject(ctx, "cp/src", "cp/s/s.0", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "cp/s/s.0")
	_, err = c.CopyObject(ctx, "cp/src", "cp/s/.inprogress", objstore.CopyOptions{})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	_, err = c.CopyObject(ctx, "cp/src", "cp/bad", objstore.CopyOptions{Metadata: map[string]string{"bad key": "v"}})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	assert.Equal(t, []string{"cp/dst", "cp/dst-streamed", "cp/new-meta", "cp/new-type", "cp/other-src", "cp/src"}, rawKeys(t, ctx, b, "cp/"))
}

func testCopyStream(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	meta := map[string]string{"iface": "eth0"}
	w, err := c.PutStreamObject(ctx, "cps/src", meta)
	require.NoError(t, err)
	chunks := []string{"zero ", "", "two ", strings.Repeat("three ", 1000)}
	for _, p := range chunks {
		_, err := w.Write([]byte(p))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	want := strings.Join(chunks, "")

	for i, o := range []objstore.CopyOptions{{}, {Streaming: true}, {Metadata: map[string]string{"iface": "eth1"}}} {
		dst := []string{"cps/dst", "cps/streamed/dst", "cps/meta"}[i]
		info, err := c.CopyObject(ctx, "cps/src", dst, o)
		require.NoError(t, err, "copy %d", i)
		assert.True(t, info.Stream)
		assert.Equal(t, len(chunks), info.Chunks)
		assert.Equal(t, dst, info.Key)
		assert.EqualValues(t, len(want), info.Size)
		if o.Streaming {
			assert.False(t, info.ServerSide)
		}
		base := dst[strings.LastIndexByte(dst, '/')+1:]
		keys := rawKeys(t, ctx, b, dst+"/")
		assert.Equal(t, []string{dst + "/" + base + ".0", dst + "/" + base + ".1", dst + "/" + base + ".2", dst + "/" + base + ".3"}, keys,
			"chunk N of the source is chunk N of the destination, under the destination's name, and no marker is left")

		st, err := c.StatObject(ctx, dst)
		require.NoError(t, err)
		assert.True(t, st.IsStream)
		assert.False(t, st.InProgress)
		assert.Equal(t, len(chunks), st.Chunks)
		if o.Metadata != nil {
			assert.Equal(t, o.Metadata, st.Metadata)
		} else {
			assert.Equal(t, meta, st.Metadata)
		}
		rc, err := c.OpenStream(ctx, dst, 0)
		require.NoError(t, err)
		assert.Equal(t, want, readAll(t, rc), "the copy reads back and ends")
	}

	// The source is untouched; a stream is copied only to a free name.
	rc, err := c.OpenStream(ctx, "cps/src", 0)
	require.NoError(t, err)
	assert.Equal(t, want, readAll(t, rc))
	_, err = c.CopyObject(ctx, "cps/src", "cps/dst", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrExist, "cps/dst")
	putString(t, ctx, c, "cps/plain", "x", nil)
	_, err = c.CopyObject(ctx, "cps/src", "cps/plain", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrExist, "cps/plain")
	assert.Equal(t, "x", getString(t, ctx, c, "cps/plain"))
	_, err = c.CopyObject(ctx, "cps/src", "cps/src", objstore.CopyOptions{Metadata: map[string]string{"a": "b"}})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument, "a stream onto itself")
}

func testCopyLiveStream(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	w, err := c.PutStreamObject(ctx, "cpl/live", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("chunk 0"))
	require.NoError(t, err)

	_, err = c.CopyObject(ctx, "cpl/live", "cpl/dst", objstore.CopyOptions{})
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "cpl/live")
	assert.Empty(t, rawKeys(t, ctx, b, "cpl/dst"), "a refused copy writes nothing")
	require.NoError(t, w.Close())

	info, err := c.CopyObject(ctx, "cpl/live", "cpl/dst", objstore.CopyOptions{})
	require.NoError(t, err, "once closed the stream copies")
	assert.Equal(t, 1, info.Chunks)
}
