package clienttest

import (
	"context"
	"errors"
	"io"
	"strings"

	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// The stream checks that an adversarial user would write: races forced
// with hook backends, failures injected at a chosen key, objects of the
// user's under the names streams use.
var streamFaultCases = []testCase{
	{"stream/resumed-writer-stops-after-close", testResumedWriterStopsAfterClose},
	{"stream/close-after-failed-write-keeps-marker", testCloseAfterFailedWrite},
	{"stream/user-objects-are-not-stream-parts", testUserObjectsNotStreamParts},
	{"stream/conflicts-name-their-cause", testStreamConflictCauses},
	{"stream/name-too-long-for-store-refused-before-io", testStreamNameTooLongForStore},
	{"stream/gap-is-an-error", testStreamGap},
	{"stream/close-stops-stalled-first-chunk", testCloseStopsStalledFirstChunk},
	{"stream/remove-stream-is-precise", testRemoveStreamIsPrecise},
}

// putGate holds the Put of one key until release is closed, after telling
// entered: a writer can be paused inside its chunk put.
type putGate struct {
	backend.Backend
	key     string
	entered chan struct{}
	release chan struct{}
}

func (g *putGate) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if key == g.key {
		close(g.entered)
		<-g.release
	}
	return g.Backend.Put(ctx, key, r, opts)
}

// failPut fails every Put of one key as an unreachable server would.
type failPut struct {
	backend.Backend
	key string
}

func (f *failPut) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if key == f.key {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrUnavailable, errors.New("connection refused (injected by the test)"))
	}
	return f.Backend.Put(ctx, key, r, opts)
}

// stallGet returns, for one key, a body that blocks until the context of
// the Get ends: a server that hangs mid-response.
type stallGet struct {
	backend.Backend
	key string
}

func (s *stallGet) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := s.Backend.Get(ctx, key, opts)
	if err != nil || key != s.key {
		return rc, info, err
	}
	_ = rc.Close()
	return io.NopCloser(ctxReader{ctx}), info, nil
}

type ctxReader struct{ ctx context.Context }

func (r ctxReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

// A writer that resumed a live stream and is paused inside its first chunk
// put while the first writer closes: once released it must stop after
// that one chunk, with an error, instead of appending more chunks that
// followers (who saw the end) never read.
func testResumedWriterStopsAfterClose(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "rs/cap"
	a, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, a, 0, 1)

	g := &putGate{Backend: b, key: name + "/cap.1", entered: make(chan struct{}), release: make(chan struct{})}
	bw, err := newClient(g).PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	wrote := make(chan error, 1)
	go func() {
		_, err := bw.Write([]byte(chunkData(1)))
		wrote <- err
	}()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the resumed writer never put its first chunk")
	}
	require.NoError(t, a.Close())
	assert.Equal(t, chunkData(0), readStream(t, ctx, c, name, 0), "a follower sees the end after chunk 0")
	close(g.release)
	err = <-wrote
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.Contains(t, err.Error(), "closed")
	for i := 2; i < 5; i++ {
		_, err := bw.Write([]byte(chunkData(i)))
		require.ErrorIs(t, err, objstore.ErrExist, "write %d after the stream was closed", i)
	}
	require.ErrorIs(t, bw.Close(), objstore.ErrExist)
	keys := rawKeys(t, ctx, b, name+"/")
	assert.Subset(t, chunkKeys(name, 0, 2), keys)
	assert.LessOrEqual(t, len(keys), 2, "at most one chunk after the end: %v", keys)
}

// A Write fails; the deferred Close must not mark the stream complete.
func testCloseAfterFailedWrite(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	const name = "fw/cap"
	c := newClient(&failPut{Backend: b, key: name + "/cap.2"})
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 2)
	_, werr := w.Write([]byte(chunkData(2)))
	require.ErrorIs(t, werr, objstore.ErrUnavailable)
	msg := werr.Error()
	assert.Equal(t, 1, strings.Count(msg, "objstore: "), "one prefix: %s", msg)
	assert.Equal(t, 1, strings.Count(msg, "(check that the server is running and reachable)"), "one hint: %s", msg)
	cerr := w.Close()
	require.ErrorIs(t, cerr, objstore.ErrUnavailable, "Close reports the failed Write")
	assert.True(t, markerExists(t, ctx, b, name), "the marker is kept: the stream is not complete")

	// Followers do not see a clean end; a new writer resumes at chunk 2.
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.True(t, st.InProgress)
	w2, err := newClient(b).PutStreamObject(ctx, name, nil)
	require.NoError(t, err, "the stream is resumable")
	writeChunks(t, w2, 2, 3)
	require.NoError(t, w2.Close())
	assert.Equal(t, chunksData(0, 3), readStream(t, ctx, c, name, 0))
}

// The rule that keeps users' objects safe: the keys streams use (markers
// NAME/.inprogress and chunks NAME/BASE.N) cannot be written or (while
// the stream is live) removed as plain objects, and an object at a
// marker's key that PutStreamObject did not write is never resumed nor
// removed.
func testUserObjectsNotStreamParts(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	for _, key := range []string{"job/.inprogress", "cap/cap.0", "a/b/cap/cap.17"} {
		_, err := c.PutObject(ctx, key, strings.NewReader("user data"), nil)
		requireErrorNames(t, err, objstore.ErrInvalidArgument, key)
		assert.Contains(t, err.Error(), "reserved for stream objects")
	}
	for _, key := range []string{"cap/cap.01", "cap/cap.x", "cap/capx.3", "cap/other.0", "cap.0", ".inprogress"} {
		putString(t, ctx, c, key, "fine", nil)
	}

	// An object another tool wrote at a marker's key is not a marker.
	const foreign = "job/.inprogress"
	rawPut(t, ctx, b, foreign, "a user's report, not a marker", nil)
	_, err := c.StatObject(ctx, "job")
	require.ErrorIs(t, err, objstore.ErrNotFound, "not a live stream")
	_, err = c.PutStreamObject(ctx, "job", nil)
	requireErrorNames(t, err, objstore.ErrExist, "job")
	assert.Contains(t, err.Error(), "not a stream marker")
	data, _ := rawGet(t, ctx, b, foreign)
	assert.Equal(t, "a user's report, not a marker", data, "the user's object is untouched")

	// A live stream's parts cannot be removed one by one; a closed one's can.
	const live = "lv/cap"
	w, err := c.PutStreamObject(ctx, live, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 2)
	for _, key := range []string{live + "/.inprogress", live + "/cap.0"} {
		requireErrorNames(t, c.RemoveObject(ctx, key), objstore.ErrInvalidArgument, key)
	}
	assert.True(t, markerExists(t, ctx, b, live))
	require.NoError(t, w.Close())
	require.NoError(t, c.RemoveObject(ctx, live+"/cap.1"))
	assert.Equal(t, chunkKeys(live, 0, 1), rawKeys(t, ctx, b, live+"/"))
}

func testStreamConflictCauses(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	// A plain object of the stream's name: refused at once, named.
	putString(t, ctx, c, "plain", "an object", nil)
	_, err := c.PutStreamObject(ctx, "plain", nil)
	requireErrorNames(t, err, objstore.ErrExist, "plain")
	assert.Contains(t, err.Error(), "plain object")
	assert.Equal(t, []string{"plain"}, rawKeys(t, ctx, b, "plain"), "nothing was written")

	// An unrelated object below a future chunk's key. Stores where a key
	// cannot be both an object and a prefix (fs, MinIO) refuse chunk 2;
	// the error must say why, not blame another writer, and the stream
	// stays resumable.
	const name = "below/a"
	putString(t, ctx, c, name+"/a.2/x", "unrelated", nil)
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 2)
	_, err = w.Write([]byte(chunkData(2)))
	if err == nil {
		require.NoError(t, w.Close())
		return
	}
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.Contains(t, err.Error(), "lie below its key")
	assert.NotContains(t, err.Error(), "another writer")
	require.Error(t, w.Close())
	assert.True(t, markerExists(t, ctx, b, name), "the stream stays resumable")
	require.NoError(t, c.RemoveObject(ctx, name+"/a.2/x"))
	w, err = c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 2, 3)
	require.NoError(t, w.Close())
	assert.Equal(t, chunksData(0, 3), readStream(t, ctx, c, name, 0))
}

// A stream name whose chunk keys the store cannot hold (the fs driver: a
// chunk file name over 255 bytes once the index grows) is refused before
// any I/O; a store that can hold it writes it to the end.
func testStreamNameTooLongForStore(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	name := "s/" + strings.Repeat("n", 253)
	w, err := c.PutStreamObject(ctx, name, nil)
	if err != nil {
		requireErrorNames(t, err, objstore.ErrInvalidKey, name)
		assert.Empty(t, rawKeys(t, ctx, b, "s/"), "refused before any write")
		return
	}
	writeChunks(t, w, 0, 11)
	require.NoError(t, w.Close())
	assert.Equal(t, chunksData(0, 11), readStream(t, ctx, c, name, 0))
}

// A chunk missing below the last one is an error, never a clean end; the
// first chunk left after expiry can be found.
func testStreamGap(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "gap/cap"
	writeStream(t, ctx, c, name, 6, nil)
	require.NoError(t, b.Remove(ctx, name+"/cap.2"))

	rc, err := c.OpenStream(ctx, name, 0)
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	assert.Equal(t, chunksData(0, 2), string(data))
	requireErrorNames(t, err, objstore.ErrNotFound, name+"/cap.2")
	assert.Contains(t, err.Error(), "missing chunk 2")

	_, err = c.OpenStream(ctx, name, 2)
	requireErrorNames(t, err, objstore.ErrNotFound, name+"/cap.2")
	assert.Contains(t, err.Error(), "missing chunk 2")
	assert.Equal(t, chunksData(3, 6), readStream(t, ctx, c, name, 3), "reading past the gap works")

	// Old chunks expired: the reader learns where the stream starts now.
	require.NoError(t, b.Remove(ctx, name+"/cap.0"))
	require.NoError(t, b.Remove(ctx, name+"/cap.1"))
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, 3, st.FirstChunk)
	assert.Equal(t, 3, st.Chunks)
	assert.Equal(t, chunksData(3, 6), readStream(t, ctx, c, name, objstore.FirstChunk))
}

// Close of a stream reader interrupts a read of the first chunk that
// stalls, even when the caller's context never ends.
func testCloseStopsStalledFirstChunk(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	const name = "stall/cap"
	writeStream(t, ctx, newClient(b), name, 2, nil)
	c := newClient(&stallGet{Backend: b, key: name + "/cap.0"})
	rc, err := c.OpenStream(context.Background(), name, 0)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(rc)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- rc.Close() }()
	select {
	case err := <-done:
		assert.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a Read stalled in the first chunk")
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}

// RemoveStream removes exactly one stream: its chunks and marker, not the
// keys that merely share its prefix.
func testRemoveStreamIsPrecise(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "rm/eth0"
	writeStream(t, ctx, c, name, 3, nil)
	writeStream(t, ctx, c, name+"/sub", 2, nil)
	writeStream(t, ctx, c, name+"x", 1, nil)
	putString(t, ctx, c, name+"/notes.txt", "keep", nil)
	live, err := c.PutStreamObject(ctx, "rm/live", nil)
	require.NoError(t, err)
	writeChunks(t, live, 0, 2)

	n, err := c.RemoveStream(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	_, err = c.StatObject(ctx, name)
	require.ErrorIs(t, err, objstore.ErrNotFound)
	assert.Equal(t, "keep", getString(t, ctx, c, name+"/notes.txt"))
	assert.Equal(t, chunksData(0, 2), readStream(t, ctx, c, name+"/sub", 0))
	assert.Equal(t, chunksData(0, 1), readStream(t, ctx, c, name+"x", 0))

	n, err = c.RemoveStream(ctx, "rm/live")
	require.NoError(t, err)
	assert.Equal(t, 3, n, "two chunks and the marker")
	_, err = live.Write([]byte("after removal"))
	require.ErrorIs(t, err, objstore.ErrExist, "the writer stops once its stream is removed")
	require.Error(t, live.Close())

	n, err = c.RemoveStream(ctx, "rm/none")
	require.NoError(t, err)
	assert.Zero(t, n)
}
