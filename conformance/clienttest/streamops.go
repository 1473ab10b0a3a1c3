package clienttest

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// Operations on whole streams: listing them, seeking by time, waiting for
// one to start, exclusive writers.
var streamOpCases = []testCase{
	{"stream/list-streams", testListStreams},
	{"stream/seek-by-time", testStreamSeekByTime},
	{"stream/wait-for-start", testStreamWaitForStart},
	{"stream/exclusive-writer-lease", testStreamLease},
}

func testListStreams(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	writeStream(t, ctx, c, "ls/closed", 3, nil)
	writeStream(t, ctx, c, "ls/closed/nested", 2, nil)
	live, err := c.PutStreamObject(ctx, "ls/live", nil)
	require.NoError(t, err)
	writeChunks(t, live, 0, 12)
	empty, err := c.PutStreamObject(ctx, "ls/empty", nil)
	require.NoError(t, err)
	writeStream(t, ctx, c, "ls/gap", 4, nil)
	require.NoError(t, b.Remove(ctx, "ls/gap/gap.0"))
	putString(t, ctx, c, "ls/plain", "not a stream", nil)
	putString(t, ctx, c, "ls/closed/notes.txt", "not a chunk", nil)
	rawPut(t, ctx, b, "ls/foreign/.inprogress", "a big object that is not a marker", nil)
	writeStream(t, ctx, c, "other/s", 1, nil)

	cb := &counting{Backend: b}
	got, err := newClient(cb).ListStreams(ctx, "ls/")
	require.NoError(t, err)
	assert.Zero(t, cb.gets.Load(), "no chunk body is read")
	assert.Zero(t, cb.stats.Load())
	size := func(from, to int) int64 { return int64(len(chunksData(from, to))) }
	want := []objstore.StreamInfo{
		{Name: "ls/closed", Chunks: 3, FirstChunk: 0, LastChunk: 2, Size: size(0, 3)},
		{Name: "ls/closed/nested", Chunks: 2, FirstChunk: 0, LastChunk: 1, Size: size(0, 2)},
		{Name: "ls/empty", InProgress: true, FirstChunk: -1, LastChunk: -1},
		{Name: "ls/gap", Chunks: 3, FirstChunk: 1, LastChunk: 3, Size: size(1, 4)},
		{Name: "ls/live", InProgress: true, Chunks: 12, FirstChunk: 0, LastChunk: 11, Size: size(0, 12)},
	}
	require.Len(t, got, len(want), "%+v", got)
	for i := range want {
		assert.False(t, got[i].LastModified.IsZero(), got[i].Name)
		got[i].LastModified = time.Time{}
		assert.Equal(t, want[i], got[i])
	}
	require.NoError(t, live.Close())
	require.NoError(t, empty.Close())
}

func testStreamSeekByTime(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "seek/cap"
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 3)
	// Stores keep modification times to the second: start the second
	// group in a later second than the first.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
	since := time.Now()
	writeChunks(t, w, 3, 6)

	cb := &counting{Backend: b}
	n, err := newClient(cb).ChunkAt(ctx, name, since)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.EqualValues(t, 1, cb.lists.Load(), "one listing of the chunks")
	assert.Zero(t, cb.gets.Load(), "no chunk body is read")

	n, err = c.ChunkAt(ctx, name, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	n, err = c.ChunkAt(ctx, name, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 6, n, "after the last chunk: a follower waits for the next")
	require.NoError(t, w.Close())

	rc, err := c.OpenStreamSince(ctx, name, since)
	require.NoError(t, err)
	assert.Equal(t, chunksData(3, 6), readAll(t, rc))
	_, err = c.ChunkAt(ctx, "seek/none", since)
	requireErrorNames(t, err, objstore.ErrNotFound, "seek/none")
}

func testStreamWaitForStart(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "wfs/cap"
	_, err := c.OpenStream(ctx, name, 0)
	require.ErrorIs(t, err, objstore.ErrNotFound, "without the option: not found at once")

	type result struct {
		data string
		err  error
	}
	got := make(chan result, 2)
	go func() {
		rc, err := c.OpenStream(ctx, name, 0, objstore.WaitForStart())
		if err != nil {
			got <- result{err: err}
			return
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		got <- result{string(data), err}
	}()
	go func() {
		rc, err := c.GetStreamObjectAtOffset(ctx, name, 1, objstore.WaitForStart())
		if err != nil {
			got <- result{err: err}
			return
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		got <- result{string(data), err}
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-got:
		t.Fatalf("a reader returned before the stream started: %+v", r)
	default:
	}
	writeStream(t, ctx, c, name, 2, nil)
	results := map[string]bool{}
	for range 2 {
		select {
		case r := <-got:
			require.NoError(t, r.err)
			results[r.data] = true
		case <-time.After(10 * time.Second):
			t.Fatal("a reader did not see the stream start")
		}
	}
	assert.Equal(t, map[string]bool{chunksData(0, 2): true, chunkData(1): true}, results)

	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	_, err = c.OpenStream(short, "wfs/never", 0, objstore.WaitForStart())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "wfs/never")
}

func testStreamLease(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const live, dead = "lease/live", "lease/dead"
	_, err := c.PutStreamObject(ctx, live, nil, objstore.WithLease(time.Second))
	requireErrorNames(t, err, objstore.ErrInvalidArgument, live)

	w, err := c.PutStreamObject(ctx, live, nil, objstore.WithLease(objstore.MinLease))
	require.NoError(t, err)
	writeChunks(t, w, 0, 1)
	rawPut(t, ctx, b, dead+"/.inprogress", "0", nil) // a writer that crashed
	rawPut(t, ctx, b, dead+"/dead.0", chunkData(0), nil)

	_, err = c.PutStreamObject(ctx, live, nil, objstore.WithLease(objstore.MinLease))
	requireErrorNames(t, err, objstore.ErrExist, live)
	assert.Contains(t, err.Error(), "held by a live writer")
	_, err = c.PutStreamObject(ctx, dead, nil, objstore.WithLease(objstore.MinLease))
	require.ErrorIs(t, err, objstore.ErrExist, "the dead writer's lease has not ended yet")

	// Past the lease: the live writer renewed it, the dead one did not.
	time.Sleep(objstore.MinLease + 700*time.Millisecond)
	_, err = c.PutStreamObject(ctx, live, nil, objstore.WithLease(objstore.MinLease))
	require.ErrorIs(t, err, objstore.ErrExist, "the live writer renews its lease")
	d, err := c.PutStreamObject(ctx, dead, nil, objstore.WithLease(objstore.MinLease))
	require.NoError(t, err, "an expired lease is taken over")
	writeChunks(t, d, 1, 2)
	require.NoError(t, d.Close())
	assert.Equal(t, chunksData(0, 2), readStream(t, ctx, c, dead, 0))

	writeChunks(t, w, 1, 2)
	require.NoError(t, w.Close())
	assert.False(t, markerExists(t, ctx, b, live), "a renewal never brings the marker back after Close")
	assert.Equal(t, chunksData(0, 2), readStream(t, ctx, c, live, 0))
}
