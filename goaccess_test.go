package objstore_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// listRecorder records the prefix of every List.
type listRecorder struct {
	backend.Backend
	mu       sync.Mutex
	prefixes []string
}

func (l *listRecorder) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	l.mu.Lock()
	l.prefixes = append(l.prefixes, opts.Prefix)
	l.mu.Unlock()
	return l.Backend.List(ctx, opts)
}

func put(t *testing.T, c *objstore.Client, key, data string) {
	t.Helper()
	_, err := c.PutObject(t.Context(), key, strings.NewReader(data), nil)
	require.NoError(t, err)
}

func writeStream(t *testing.T, c *objstore.Client, name string, chunks ...string) {
	t.Helper()
	w, err := c.PutStreamObject(t.Context(), name, nil)
	require.NoError(t, err)
	for _, ch := range chunks {
		_, err := w.Write([]byte(ch))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
}

// Keys that an io/fs view cannot show are hidden, consistently in
// listings, Stat and Open: names with '\', an object that is also a
// directory (mem holds both "a" and "a/b"), an object at a stream
// marker's key that is not a marker.
func TestFSHiddenKeys(t *testing.T) {
	ctx := t.Context()
	b := mem.New()
	c := objstore.New(b)
	defer c.Close()
	put(t, c, `h/back\slash`, "hidden")
	put(t, c, "h/clash", "hidden by the directory")
	put(t, c, "h/clash/inner", "shown")
	put(t, c, "h/plain", "shown")
	// Another program's object at a marker's key: not a marker (too long).
	_, err := b.Put(ctx, "h/notstream/.inprogress", strings.NewReader(strings.Repeat("x", 40)), backend.PutOptions{Size: 40})
	require.NoError(t, err)

	fsys := c.FS(ctx, "h")
	require.NoError(t, fstest.TestFS(fsys, "clash/inner", "plain"))
	entries, err := fsys.ReadDir(".")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"clash", "plain"}, names)
	for _, name := range []string{`back\slash`, "notstream", "notstream/.inprogress"} {
		_, err := fsys.Stat(name)
		assert.ErrorIs(t, err, fs.ErrNotExist, name)
	}
	st, err := fsys.Stat("clash")
	require.NoError(t, err)
	assert.True(t, st.IsDir())
}

// A stream with a chunk missing below its last one is listed (its size
// is that of the chunks left, as StatObject says) but does not open: no
// short file.
func TestFSStreamGap(t *testing.T) {
	ctx := t.Context()
	c := objstore.New(mem.New())
	defer c.Close()
	writeStream(t, c, "g/s", "a", "b", "c")
	require.NoError(t, c.RemoveObject(ctx, "g/s/s.1"))
	fsys := c.FS(ctx, "g/")
	st, err := fsys.Stat("s")
	require.NoError(t, err)
	assert.EqualValues(t, 2, st.Size())
	_, err = fsys.Open("s")
	require.ErrorIs(t, err, objstore.ErrNotFound)
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "missing chunk 1")
}

// A ReadDir lists only the keys under its own directory.
func TestFSReadDirListsItsPrefix(t *testing.T) {
	rec := &listRecorder{Backend: mem.New()}
	c := objstore.New(rec)
	defer c.Close()
	put(t, c, "r/a/x", "1")
	put(t, c, "r/b/y", "2")
	fsys := c.FS(t.Context(), "r/")
	rec.prefixes = nil
	_, err := fsys.ReadDir("a")
	require.NoError(t, err)
	assert.Equal(t, []string{"r/a/"}, rec.prefixes)
}

// The chunks of a stream file are pinned too: a chunk removed after the
// file was opened fails the read with ErrChanged.
func TestFSStreamChunkChanged(t *testing.T) {
	ctx := t.Context()
	c := objstore.New(mem.New())
	defer c.Close()
	writeStream(t, c, "p/s", "first", "second")
	f, err := c.FS(ctx, "p").Open("s")
	require.NoError(t, err)
	defer f.Close()
	p := make([]byte, 5)
	_, err = io.ReadFull(f, p)
	require.NoError(t, err)
	assert.Equal(t, "first", string(p))
	require.NoError(t, c.RemoveObjects(ctx, "p/s/"))
	_, err = f.Read(p)
	require.ErrorIs(t, err, objstore.ErrChanged)
	require.ErrorIs(t, err, objstore.ErrNotFound)
}

// Close may run while ReadAt calls are in flight: they return data or
// ErrClosed, never panic or race.
func TestObjectReaderCloseDuringReadAt(t *testing.T) {
	ctx := t.Context()
	c := objstore.New(mem.New())
	defer c.Close()
	put(t, c, "o", strings.Repeat("0123456789", 10000))
	r, err := c.OpenObject(ctx, "o")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			p := make([]byte, 100)
			for i := range 200 {
				_, err := r.ReadAt(p, int64((g*977+i*1013)%99000))
				if err != nil && !errors.Is(err, objstore.ErrClosed) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() { _, _ = io.Copy(io.Discard, r) })
	require.NoError(t, r.Close())
	wg.Wait()
}

// An invalid prefix fails every call of the view.
func TestFSInvalidPrefix(t *testing.T) {
	c := objstore.New(mem.New())
	defer c.Close()
	for _, prefix := range []string{"/a", "a//", "a/../b", "./"} {
		fsys := c.FS(t.Context(), prefix)
		_, err := fsys.Open(".")
		assert.ErrorIs(t, err, objstore.ErrInvalidKey, prefix)
		_, err = fsys.ReadDir(".")
		assert.ErrorIs(t, err, fs.ErrInvalid, prefix)
	}
}
