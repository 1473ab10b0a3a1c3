package objstore_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// composer is mem with a backend.Composer that concatenates through the
// backend itself, or refuses with ErrNotSupported when refuse is set.
type composer struct {
	*mem.Backend
	refuse bool
	calls  int
	srcs   []string
}

func (c *composer) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	c.calls++
	if c.refuse {
		return backend.ObjectInfo{}, backend.NewError("compose", dst, backend.ErrNotSupported, errors.New("too small (test)"))
	}
	var sb strings.Builder
	c.srcs = nil
	for _, s := range srcs {
		c.srcs = append(c.srcs, s.Key)
		rc, _, err := c.Backend.Get(ctx, s.Key, backend.WholeObject)
		if err != nil {
			return backend.ObjectInfo{}, err
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		sb.WriteString(string(data))
	}
	opts.Size = int64(sb.Len())
	return c.Backend.Put(ctx, dst, strings.NewReader(sb.String()), opts)
}

func writeTestStream(t *testing.T, c *objstore.Client, name string, chunks ...string) {
	t.Helper()
	w, err := c.PutStreamObject(t.Context(), name, map[string]string{"src": "test"})
	require.NoError(t, err)
	for _, p := range chunks {
		_, err := w.Write([]byte(p))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
}

func TestCompactStreamPaths(t *testing.T) {
	ctx := t.Context()
	b := &composer{Backend: mem.New()}
	defer b.Close()
	c := objstore.New(b)
	chunks := make([]string, 12) // chunk 10 sorts before chunk 2 in a listing
	for i := range chunks {
		chunks[i] = strings.Repeat(string(rune('a'+i)), i+1)
	}
	writeTestStream(t, c, "s/cap", chunks...)
	want := strings.Join(chunks, "")

	info, err := c.CompactStream(ctx, "s/cap", "out/server", objstore.CompactOptions{})
	require.NoError(t, err)
	assert.True(t, info.ServerSide)
	assert.Equal(t, 1, b.calls)
	assert.Equal(t, "s/cap/cap.0", b.srcs[0])
	assert.Equal(t, "s/cap/cap.11", b.srcs[11], "sources in index order")
	assert.Equal(t, want, get(t, c, "out/server"))
	st, err := c.StatObject(ctx, "out/server")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"src": "test"}, st.Metadata, "the stream's metadata")

	info, err = c.CompactStream(ctx, "s/cap", "out/streamed", objstore.CompactOptions{Streaming: true})
	require.NoError(t, err)
	assert.False(t, info.ServerSide)
	assert.Equal(t, 1, b.calls, "Streaming does not ask the composer")
	assert.Equal(t, want, get(t, c, "out/streamed"))

	b.refuse = true
	info, err = c.CompactStream(ctx, "s/cap", "out/fallback", objstore.CompactOptions{Metadata: map[string]string{}})
	require.NoError(t, err)
	assert.False(t, info.ServerSide, "ErrNotSupported falls back to streaming")
	assert.Equal(t, 2, b.calls)
	assert.Equal(t, want, get(t, c, "out/fallback"))
	st, err = c.StatObject(ctx, "out/fallback")
	require.NoError(t, err)
	assert.Empty(t, st.Metadata, "an empty map stores no metadata")
}

// A chunk replaced by one of another size during the compaction fails
// the put, which stores nothing.
func TestCompactStreamChunkChanged(t *testing.T) {
	ctx := t.Context()
	b := &shrinkGet{Backend: mem.New(), key: "s/cap/cap.1"}
	defer b.Close()
	c := objstore.New(b)
	writeTestStream(t, c, "s/cap", "aaa", "bbb", "ccc")
	_, err := c.CompactStream(ctx, "s/cap", "out", objstore.CompactOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s/cap/cap.1")
	_, err = c.StatObject(ctx, "out")
	require.ErrorIs(t, err, objstore.ErrNotFound, "nothing stored")
}

type shrinkGet struct {
	*mem.Backend
	key string
}

func (s *shrinkGet) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if key == s.key {
		return io.NopCloser(strings.NewReader("b")), backend.ObjectInfo{Key: key, Size: 1}, nil
	}
	return s.Backend.Get(ctx, key, opts)
}

func get(t *testing.T, c *objstore.Client, key string) string {
	t.Helper()
	rc, err := c.GetObject(t.Context(), key)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(data)
}
