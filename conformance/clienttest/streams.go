package clienttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

var streamCases = []testCase{
	{"stream/layout", testStreamLayout},
	{"stream/stat", testStreamStat},
	{"stream/get-at-offset", testStreamGetAtOffset},
	{"stream/get-at-offset-waits", testStreamWaits},
	{"stream/wait-until-deadline", testStreamWaitDeadline},
	{"stream/close-race", testStreamCloseRace},
	{"stream/writer-and-concurrent-readers", testStreamConcurrentReaders},
	{"stream/open-stream-offsets", testOpenStreamOffsets},
	{"stream/open-stream-stop-while-waiting", testOpenStreamStop},
	{"stream/resume-after-crashed-writer", testStreamResume},
	{"stream/seed-data", testStreamSeedData},
	{"stream/two-writers-first-keeps-it", testTwoWritersFirstWins},
	{"stream/two-writers-takeover", testTwoWritersTakeover},
	{"stream/two-writers-race", testTwoWritersRace},
	{"stream/resumed-writer-after-close", testResumedAfterClose},
	{"stream/reopen-closed", testStreamReopenClosed},
	{"stream/write-after-close", testStreamWriteAfterClose},
	{"stream/write-does-not-keep-buffer", testStreamNoAlias},
	{"stream/nested-and-foreign-keys", testStreamForeignKeys},
	{"stream/writer-context-cancelled", testStreamWriterCancelled},
	{"stream/bad-arguments-before-io", testStreamBadArguments},
}

// chunkData is the content of chunk i in these checks: unique per chunk
// and of varying length, so that a chunk read twice, skipped or out of
// order shows in the concatenation.
func chunkData(i int) string {
	return fmt.Sprintf("<chunk %d>", i) + strings.Repeat(strconv.Itoa(i%10), i%7)
}

func chunksData(from, to int) string {
	var sb strings.Builder
	for i := from; i < to; i++ {
		sb.WriteString(chunkData(i))
	}
	return sb.String()
}

func writeChunks(t *testing.T, w io.Writer, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		n, err := w.Write([]byte(chunkData(i)))
		require.NoError(t, err, "write chunk %d", i)
		require.Equal(t, len(chunkData(i)), n)
	}
}

// writeStream writes a closed stream of n chunks.
func writeStream(t *testing.T, ctx context.Context, c *objstore.Client, name string, n int, meta map[string]string) {
	t.Helper()
	w, err := c.PutStreamObject(ctx, name, meta)
	require.NoError(t, err)
	writeChunks(t, w, 0, n)
	require.NoError(t, w.Close())
}

func readStream(t *testing.T, ctx context.Context, c *objstore.Client, name string, from int) string {
	t.Helper()
	rc, err := c.OpenStream(ctx, name, from)
	require.NoError(t, err)
	return readAll(t, rc)
}

// chunkKeys are the original client's keys of chunks from..to-1 of stream name.
func chunkKeys(name string, from, to int) []string {
	base := name[strings.LastIndex(name, "/")+1:]
	var keys []string
	for i := from; i < to; i++ {
		keys = append(keys, fmt.Sprintf("%s/%s.%d", name, base, i))
	}
	return keys
}

func sorted(keys ...[]string) []string {
	all := slices.Concat(keys...)
	slices.Sort(all)
	return all
}

func markerExists(t *testing.T, ctx context.Context, b backend.Backend, name string) bool {
	t.Helper()
	_, err := b.Stat(ctx, name+"/.inprogress")
	if errors.Is(err, backend.ErrNotFound) {
		return false
	}
	require.NoError(t, err)
	return true
}

func testStreamLayout(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "a/b/cap"
	w, err := c.PutStreamObject(ctx, name, map[string]string{"Run": "r1"})
	require.NoError(t, err)
	assert.Equal(t, []string{name + "/.inprogress"}, rawKeys(t, ctx, b, name), "the marker is written at open")
	marker, _ := rawGet(t, ctx, b, name+"/.inprogress")
	_, err = strconv.Atoi(marker)
	assert.NoError(t, err, "the marker holds a decimal chunk index, as the original client's did (%q)", marker)

	writeChunks(t, w, 0, 12)
	assert.Equal(t, sorted([]string{name + "/.inprogress"}, chunkKeys(name, 0, 12)), rawKeys(t, ctx, b, name),
		"chunk N is NAME/BASE.N, no padding")
	for i, key := range chunkKeys(name, 0, 12) {
		data, info := rawGet(t, ctx, b, key)
		assert.Equal(t, chunkData(i), data, "chunk %d holds exactly the bytes of Write %d", i, i)
		assert.Equal(t, map[string]string{"run": "r1"}, info.Metadata, "chunk %d carries the stream's metadata", i)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, sorted(chunkKeys(name, 0, 12)), rawKeys(t, ctx, b, name), "Close removes the marker, and only it")
}

func testStreamStat(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "st/cap"
	meta := map[string]string{"k": "v"}
	w, err := c.PutStreamObject(ctx, name, meta)
	require.NoError(t, err)
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.True(t, st.IsStream)
	assert.True(t, st.InProgress)
	assert.Zero(t, st.Chunks)
	assert.Zero(t, st.Size)
	assert.Equal(t, meta, st.Metadata, "metadata is known before the first chunk")
	assert.False(t, st.LastModified.IsZero())

	for _, p := range []string{"abc", "defgh"} {
		_, err = w.Write([]byte(p))
		require.NoError(t, err)
	}
	st, err = c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.True(t, st.InProgress)
	assert.Equal(t, 2, st.Chunks)
	assert.EqualValues(t, 8, st.Size)
	assert.Equal(t, meta, st.Metadata)
	chunk1, err := b.Stat(ctx, name+"/cap.1")
	require.NoError(t, err)
	assert.True(t, st.LastModified.Equal(chunk1.LastModified), "LastModified is the newest chunk's")

	require.NoError(t, w.Close())
	st, err = c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.True(t, st.IsStream)
	assert.False(t, st.InProgress)
	assert.Equal(t, 2, st.Chunks)
	assert.EqualValues(t, 8, st.Size)
	assert.Equal(t, meta, st.Metadata, "metadata survives Close")
	assert.Empty(t, st.ETag)
}

func testStreamGetAtOffset(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "g/cap"
	writeStream(t, ctx, c, name, 12, nil)
	for i := range 12 {
		rc, err := c.GetStreamObjectAtOffset(ctx, name, i)
		require.NoError(t, err, "chunk %d", i)
		assert.Equal(t, chunkData(i), readAll(t, rc), "chunk %d", i)
	}

	// Not in progress: no waiting at all, even with a slow poll.
	slow := objstore.New(b, objstore.WithPollInterval(5*time.Second, 5*time.Second))
	start := time.Now()
	_, err := slow.GetStreamObjectAtOffset(ctx, name, 12)
	requireErrorNames(t, err, objstore.ErrNotFound, name+"/cap.12")
	assert.Less(t, time.Since(start), 2*time.Second, "a closed stream's missing chunk is ErrNotFound at once")
	_, err = slow.GetStreamObjectAtOffset(ctx, "g/none", 0)
	requireErrorNames(t, err, objstore.ErrNotFound, "g/none")
	assert.Less(t, time.Since(start), 4*time.Second)
}

func testStreamWaits(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "wait/cap"
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 1)

	type result struct {
		data string
		err  error
		at   time.Time
	}
	got := make(chan result, 1)
	go func() {
		rc, err := c.GetStreamObjectAtOffset(ctx, name, 1)
		if err != nil {
			got <- result{err: err, at: time.Now()}
			return
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		got <- result{string(data), err, time.Now()}
	}()
	select {
	case r := <-got:
		t.Fatalf("GetStreamObjectAtOffset returned before the chunk was written: %q, %v", r.data, r.err)
	case <-time.After(150 * time.Millisecond):
	}
	written := time.Now()
	writeChunks(t, w, 1, 2)
	select {
	case r := <-got:
		require.NoError(t, r.err)
		assert.Equal(t, chunkData(1), r.data)
		assert.Less(t, r.at.Sub(written), 2*time.Second, "a waiting reader sees the new chunk promptly")
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting reader never saw chunk 1")
	}
	require.NoError(t, w.Close())
}

func testStreamWaitDeadline(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "dl/cap"
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.GetStreamObjectAtOffset(short, name, 0)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the context's error, wrapped")
	assert.Contains(t, err.Error(), name+"/cap.0")
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond, "it waited while the stream was in progress")

	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	rc, err := c.OpenStream(short2, name, 0)
	require.NoError(t, err, "an in-progress stream without chunks opens")
	_, err = io.ReadAll(rc)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, rc.Close())
	require.NoError(t, w.Close())
}

// testStreamCloseRace: the writer stores its last chunk and closes while
// readers wait for that chunk. A reader that sees the marker gone must look
// for the chunk once more, never report it missing.
func testStreamCloseRace(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b, objstore.WithPollInterval(time.Microsecond, time.Millisecond))
	for round := range 15 {
		name := fmt.Sprintf("race/s%d", round)
		w, err := c.PutStreamObject(ctx, name, nil)
		require.NoError(t, err)
		var wg sync.WaitGroup
		var atOffset, following string
		var errAt, errFollow error
		wg.Go(func() {
			rc, err := c.GetStreamObjectAtOffset(ctx, name, 0)
			if err != nil {
				errAt = err
				return
			}
			data, err := io.ReadAll(rc)
			_ = rc.Close()
			atOffset, errAt = string(data), err
		})
		rc, err := c.OpenStream(ctx, name, 0)
		require.NoError(t, err)
		wg.Go(func() {
			data, err := io.ReadAll(rc)
			following, errFollow = string(data), err
		})
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		writeChunks(t, w, 0, 1)
		require.NoError(t, w.Close())
		wg.Wait()
		require.NoError(t, rc.Close())
		require.NoError(t, errAt, "round %d: GetStreamObjectAtOffset", round)
		require.NoError(t, errFollow, "round %d: OpenStream", round)
		assert.Equal(t, chunkData(0), atOffset, "round %d", round)
		assert.Equal(t, chunkData(0), following, "round %d", round)
	}

	// The exact interleaving, forced: the reader finds chunk 0 missing,
	// then the writer stores it and closes, then the reader finds the
	// marker gone.
	for _, open := range []struct {
		name string
		read func(c *objstore.Client, name string) (string, error)
	}{
		{"GetStreamObjectAtOffset", func(c *objstore.Client, name string) (string, error) {
			rc, err := c.GetStreamObjectAtOffset(ctx, name, 0)
			if err != nil {
				return "", err
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			return string(data), err
		}},
		{"OpenStream", func(c *objstore.Client, name string) (string, error) {
			rc, err := c.OpenStream(ctx, name, 0)
			if err != nil {
				return "", err
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			return string(data), err
		}},
	} {
		name := "race/forced-" + open.name
		w, err := c.PutStreamObject(ctx, name, nil)
		require.NoError(t, err)
		g := newGate(b)
		reader := newClient(g)
		var data string
		var rerr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			data, rerr = open.read(reader, name)
		}()
		select {
		case <-g.entered:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never looked for the marker", open.name)
		}
		writeChunks(t, w, 0, 1)
		require.NoError(t, w.Close())
		close(g.release)
		<-done
		require.NoError(t, rerr, "%s: the chunk stored just before Close must be found", open.name)
		assert.Equal(t, chunkData(0), data, open.name)
	}
}

func testStreamConcurrentReaders(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const (
		name   = "live/cap"
		chunks = 25 // more than 10: chunk 10 must follow chunk 9
	)
	w, err := c.PutStreamObject(ctx, name, map[string]string{"kind": "live"})
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	follow := func(from int) {
		rc, err := c.OpenStream(ctx, name, from)
		if err != nil {
			errs <- err
			return
		}
		wg.Go(func() {
			defer rc.Close()
			// A small buffer: chunk boundaries fall inside Reads.
			buf := make([]byte, 7)
			var sb strings.Builder
			for {
				n, err := rc.Read(buf)
				sb.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					errs <- fmt.Errorf("follower from %d: %w", from, err)
					return
				}
			}
			if got, want := sb.String(), chunksData(from, chunks); got != want {
				errs <- fmt.Errorf("follower from %d read\n%q\nwant\n%q", from, got, want)
			}
		})
	}
	writeChunks(t, w, 0, 2)
	for _, from := range []int{0, 0, 1, 0} {
		follow(from)
	}
	// A reader that asks chunk by chunk, as the original client's users did.
	wg.Go(func() {
		for i := 0; ; i++ {
			rc, err := c.GetStreamObjectAtOffset(ctx, name, i)
			if errors.Is(err, objstore.ErrNotFound) {
				if i != chunks {
					errs <- fmt.Errorf("chunk reader: ErrNotFound at chunk %d of %d: %w", i, chunks, err)
				}
				return
			}
			if err != nil {
				errs <- fmt.Errorf("chunk reader at %d: %w", i, err)
				return
			}
			data, err := io.ReadAll(rc)
			_ = rc.Close()
			if err != nil || string(data) != chunkData(i) {
				errs <- fmt.Errorf("chunk reader at %d: %q, %v", i, data, err)
				return
			}
		}
	})
	for i := 2; i < chunks; i++ {
		if i == 7 {
			follow(7) // joins late, from the middle
		}
		writeChunks(t, w, i, i+1)
		time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
	}
	require.NoError(t, w.Close())
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, chunks, st.Chunks)
	assert.EqualValues(t, len(chunksData(0, chunks)), st.Size)
}

func testOpenStreamOffsets(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "o/cap"
	writeStream(t, ctx, c, name, 12, nil)
	assert.Equal(t, chunksData(0, 12), readStream(t, ctx, c, name, 0))
	assert.Equal(t, chunksData(5, 12), readStream(t, ctx, c, name, 5))
	assert.Equal(t, chunksData(11, 12), readStream(t, ctx, c, name, 11))

	rc, err := c.OpenStream(ctx, name, 0)
	require.NoError(t, err)
	require.NoError(t, iotest.TestReader(rc, []byte(chunksData(0, 12))))
	require.NoError(t, rc.Close())

	_, err = c.OpenStream(ctx, name, 12)
	requireErrorNames(t, err, objstore.ErrNotFound, name+"/cap.12")
	_, err = c.OpenStream(ctx, "o/none", 0)
	requireErrorNames(t, err, objstore.ErrNotFound, "o/none")

	// Empty chunks are chunks: they count and read as nothing.
	const empties = "o/empties"
	w, err := c.PutStreamObject(ctx, empties, nil)
	require.NoError(t, err)
	for _, p := range []string{"", "a", "", "", "b", ""} {
		n, err := w.Write([]byte(p))
		require.NoError(t, err)
		require.Equal(t, len(p), n)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, "ab", readStream(t, ctx, c, empties, 0))
	st, err := c.StatObject(ctx, empties)
	require.NoError(t, err)
	assert.Equal(t, 6, st.Chunks)
	assert.EqualValues(t, 2, st.Size)
}

func testOpenStreamStop(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "stop/cap"
	w, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 1)

	type result struct {
		data string
		err  error
	}
	// Close from another goroutine stops a Read that waits.
	rc, err := c.OpenStream(ctx, name, 0)
	require.NoError(t, err)
	got := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(rc)
		got <- result{string(data), err}
	}()
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, rc.Close())
	select {
	case r := <-got:
		assert.Equal(t, chunkData(0), r.data)
		assert.ErrorIs(t, r.err, objstore.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the waiting Read")
	}
	_, err = rc.Read(make([]byte, 1))
	assert.ErrorIs(t, err, objstore.ErrClosed)
	require.NoError(t, rc.Close(), "Close is idempotent")

	// Cancelling the context stops it too.
	cctx, cancel := context.WithCancel(ctx)
	rc, err = c.OpenStream(cctx, name, 1)
	require.NoError(t, err)
	go func() {
		data, err := io.ReadAll(rc)
		got <- result{string(data), err}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case r := <-got:
		assert.Empty(t, r.data)
		assert.ErrorIs(t, r.err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the context did not stop the waiting Read")
	}
	require.NoError(t, rc.Close())
	require.NoError(t, w.Close())
}

func testStreamResume(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "crash/cap"
	meta := map[string]string{"a": "1"}
	dead, err := c.PutStreamObject(ctx, name, meta)
	require.NoError(t, err)
	writeChunks(t, dead, 0, 4)
	// The writer "dies": it is never closed.

	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.True(t, st.InProgress, "a dead writer leaves its marker")
	assert.Equal(t, 4, st.Chunks)
	for i := range 4 {
		rc, err := c.GetStreamObjectAtOffset(ctx, name, i)
		require.NoError(t, err, "chunk %d of the dead writer is readable", i)
		assert.Equal(t, chunkData(i), readAll(t, rc), "chunk %d", i)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.GetStreamObjectAtOffset(short, name, 4)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "readers know the stream is unfinished and wait")

	w, err := c.PutStreamObject(ctx, name, meta)
	require.NoError(t, err)
	writeChunks(t, w, 4, 7)
	require.NoError(t, w.Close())
	assert.Equal(t, sorted(chunkKeys(name, 0, 7)), rawKeys(t, ctx, b, name), "resumed after chunk 3, marker removed")
	assert.Equal(t, chunksData(0, 7), readStream(t, ctx, c, name, 0))
	st, err = c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.False(t, st.InProgress)
	assert.Equal(t, 7, st.Chunks)

	// The old writer, should it wake up, can no longer write: its next
	// chunk is taken.
	_, err = dead.Write([]byte("late"))
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.ErrorIs(t, dead.Close(), objstore.ErrExist)
	assert.Equal(t, chunksData(0, 7), readStream(t, ctx, c, name, 0), "the old writer changed nothing")
}

func testStreamSeedData(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	seedMeta := map[string]string{"origin": "seed"}
	// As the original minio-client left them: a finished stream (no
	// marker), metadata on every chunk ...
	const done = "seed/done"
	for i, key := range chunkKeys(done, 0, 12) {
		rawPut(t, ctx, b, key, chunkData(i), seedMeta)
	}
	// ... and one whose writer died after chunk 2: its marker, rewritten
	// after every chunk, holds the next offset.
	const dead = "seed/dead"
	rawPut(t, ctx, b, dead+"/.inprogress", "3", nil)
	for i, key := range chunkKeys(dead, 0, 3) {
		rawPut(t, ctx, b, key, chunkData(i), seedMeta)
	}

	st, err := c.StatObject(ctx, done)
	require.NoError(t, err)
	assert.True(t, st.IsStream)
	assert.False(t, st.InProgress)
	assert.Equal(t, 12, st.Chunks)
	assert.EqualValues(t, len(chunksData(0, 12)), st.Size)
	assert.Equal(t, seedMeta, st.Metadata)
	assert.Equal(t, chunksData(0, 12), readStream(t, ctx, c, done, 0))
	rc, err := c.GetStreamObjectAtOffset(ctx, done, 10)
	require.NoError(t, err)
	assert.Equal(t, chunkData(10), readAll(t, rc))
	_, err = c.GetStreamObjectAtOffset(ctx, done, 12)
	assert.ErrorIs(t, err, objstore.ErrNotFound)

	st, err = c.StatObject(ctx, dead)
	require.NoError(t, err)
	assert.True(t, st.InProgress)
	assert.Equal(t, 3, st.Chunks)
	assert.Equal(t, seedMeta, st.Metadata)
	w, err := c.PutStreamObject(ctx, dead, seedMeta)
	require.NoError(t, err)
	writeChunks(t, w, 3, 5)
	require.NoError(t, w.Close())
	assert.Equal(t, sorted(chunkKeys(dead, 0, 5)), rawKeys(t, ctx, b, dead), "resumed after the original client's last chunk")
	assert.Equal(t, chunksData(0, 5), readStream(t, ctx, c, dead, 0))
}

func testTwoWritersFirstWins(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "two/first"
	first, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, first, 0, 2)
	second, err := c.PutStreamObject(ctx, name, nil) // takes over at chunk 2
	require.NoError(t, err)
	writeChunks(t, first, 2, 3) // but the first writer stores chunk 2 first

	_, err = second.Write([]byte("second's chunk"))
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.Contains(t, err.Error(), "conflict")
	_, err2 := second.Write([]byte("again"))
	assert.ErrorIs(t, err2, objstore.ErrExist, "the loser stays stopped")
	assert.ErrorIs(t, second.Close(), objstore.ErrExist)
	assert.True(t, markerExists(t, ctx, b, name), "the loser's Close leaves the live writer's marker")

	writeChunks(t, first, 3, 4)
	require.NoError(t, first.Close())
	assert.False(t, markerExists(t, ctx, b, name))
	assert.Equal(t, chunksData(0, 4), readStream(t, ctx, c, name, 0), "only the first writer's chunks")
}

func testTwoWritersTakeover(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "two/takeover"
	first, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, first, 0, 2)
	second, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, second, 2, 3) // the second writer stores chunk 2 first

	_, err = first.Write([]byte("first's late chunk"))
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.ErrorIs(t, first.Close(), objstore.ErrExist)
	assert.True(t, markerExists(t, ctx, b, name), "the old writer's Close leaves the new writer's marker")

	writeChunks(t, second, 3, 5)
	require.NoError(t, second.Close())
	assert.False(t, markerExists(t, ctx, b, name))
	assert.Equal(t, chunksData(0, 5), readStream(t, ctx, c, name, 0), "the first writer's chunks, then the second's")

	// The old writer closes without writing again: it must see that the
	// stream has moved on and leave the marker to the new writer.
	const quiet = "two/takeover-quiet"
	first, err = c.PutStreamObject(ctx, quiet, nil)
	require.NoError(t, err)
	writeChunks(t, first, 0, 2)
	second, err = c.PutStreamObject(ctx, quiet, nil)
	require.NoError(t, err)
	writeChunks(t, second, 2, 3)
	assert.ErrorIs(t, first.Close(), objstore.ErrExist)
	assert.True(t, markerExists(t, ctx, b, quiet), "the new writer is still live")
	writeChunks(t, second, 3, 4)
	require.NoError(t, second.Close())
	assert.Equal(t, chunksData(0, 4), readStream(t, ctx, c, quiet, 0))
}

// testResumedAfterClose: a writer resumes a stream whose first writer is
// still live and then closes it. The stream is complete for its readers,
// so the resumed writer must not append to it.
func testResumedAfterClose(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "two/closed-under"
	first, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, first, 0, 2)
	second, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	require.NoError(t, first.Close())
	_, err = second.Write([]byte("too late"))
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.Contains(t, err.Error(), "closed")
	assert.ErrorIs(t, second.Close(), objstore.ErrExist)
	assert.Equal(t, sorted(chunkKeys(name, 0, 2)), rawKeys(t, ctx, b, name), "the closed stream is unchanged")
}

// testTwoWritersRace lets two writers race for the same chunks. With
// create-only puts exactly one wins; the stream is the first writer's
// chunks followed by the winner's, each chunk stored once, never
// overwritten.
func testTwoWritersRace(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	if !supportsCreateOnly(t, ctx, b) {
		t.Skip("the backend cannot make create-only puts; two racing writers are not fenced (docs/streams.md)")
	}
	c := newClient(b)
	const (
		name   = "two/race"
		before = 5
		each   = 20
	)
	a, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	for i := range before {
		_, err := a.Write(fmt.Appendf(nil, "A-%02d|", i))
		require.NoError(t, err)
	}
	bw, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)

	start := make(chan struct{})
	var wg sync.WaitGroup
	failed := make([]error, 2)
	for wi, w := range []io.WriteCloser{a, bw} {
		id := "AB"[wi : wi+1]
		first := 0
		if id == "A" {
			first = before
		}
		wg.Go(func() {
			<-start
			for i := range each {
				if _, err := w.Write(fmt.Appendf(nil, "%s-%02d|", id, first+i)); err != nil {
					failed[wi] = err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	require.True(t, (failed[0] == nil) != (failed[1] == nil), "exactly one writer loses: %v", failed)
	winner, loser, loserErr, winnerID := a, bw, failed[1], "A"
	if failed[0] != nil {
		winner, loser, loserErr, winnerID = bw, a, failed[0], "B"
	}
	require.ErrorIs(t, loserErr, objstore.ErrExist)
	assert.ErrorIs(t, loser.Close(), objstore.ErrExist)
	require.NoError(t, winner.Close())

	var want strings.Builder
	for i := range before {
		fmt.Fprintf(&want, "A-%02d|", i)
	}
	for i := range each {
		if winnerID == "A" {
			fmt.Fprintf(&want, "A-%02d|", before+i)
		} else {
			fmt.Fprintf(&want, "B-%02d|", i)
		}
	}
	assert.Equal(t, want.String(), readStream(t, ctx, c, name, 0))
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, before+each, st.Chunks)
	assert.False(t, st.InProgress)
}

func testStreamReopenClosed(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "closed/cap"
	writeStream(t, ctx, c, name, 2, nil)
	_, err := c.PutStreamObject(ctx, name, nil)
	requireErrorNames(t, err, objstore.ErrExist, name)
	assert.Contains(t, err.Error(), "closed")
	assert.Equal(t, sorted(chunkKeys(name, 0, 2)), rawKeys(t, ctx, b, name), "no marker is left behind, no chunk touched")
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.False(t, st.InProgress)

	// A stream closed before its first chunk left nothing: the name is free.
	w, err := c.PutStreamObject(ctx, "closed/empty", nil)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	_, err = c.StatObject(ctx, "closed/empty")
	assert.ErrorIs(t, err, objstore.ErrNotFound)
	writeStream(t, ctx, c, "closed/empty", 1, nil)
}

func testStreamWriteAfterClose(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	w, err := c.PutStreamObject(ctx, "wac/cap", nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 1)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "Close is idempotent")
	_, err = w.Write([]byte("late"))
	requireErrorNames(t, err, objstore.ErrClosed, "wac/cap")
	assert.Equal(t, sorted(chunkKeys("wac/cap", 0, 1)), rawKeys(t, ctx, b, "wac/cap"))
}

func testStreamNoAlias(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	w, err := c.PutStreamObject(ctx, "alias/cap", nil)
	require.NoError(t, err)
	p := []byte("original")
	_, err = w.Write(p)
	require.NoError(t, err)
	copy(p, "CHANGED!")
	_, err = w.Write(p)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, "originalCHANGED!", readStream(t, ctx, c, "alias/cap", 0))
}

func testStreamForeignKeys(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b}
	c := newClient(cb)
	const name = "n/cap"
	writeStream(t, ctx, c, name, 3, nil)
	writeStream(t, ctx, c, name+"/sub", 2, nil) // a stream nested under the first
	for _, k := range []string{name + "/cap.x", name + "/cap.01", name + "/capx.3", name + "/notes"} {
		rawPut(t, ctx, b, k, "not a chunk", nil)
	}
	cb.mu.Lock()
	cb.listPrefixes = nil
	cb.mu.Unlock()
	st, err := c.StatObject(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, 3, st.Chunks, "only NAME/BASE.N keys are chunks")
	assert.EqualValues(t, len(chunksData(0, 3)), st.Size)
	cb.mu.Lock()
	assert.Equal(t, []string{name + "/cap."}, cb.listPrefixes, "StatObject lists only the stream's chunk keys")
	cb.mu.Unlock()
	assert.Equal(t, chunksData(0, 3), readStream(t, ctx, c, name, 0))
	assert.Equal(t, chunksData(0, 2), readStream(t, ctx, c, name+"/sub", 0))
	st, err = c.StatObject(ctx, name+"/sub")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Chunks)
}

func testStreamWriterCancelled(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "cx/cap"
	wctx, cancel := context.WithCancel(ctx)
	w, err := c.PutStreamObject(wctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 1)
	cancel()
	_, err = w.Write([]byte("after cancel"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = w.Write([]byte("again"))
	require.ErrorIs(t, err, context.Canceled, "a failed writer stays failed")
	require.ErrorIs(t, w.Close(), context.Canceled, "Close reports the failed Write")
	assert.Equal(t, sorted([]string{name + "/.inprogress"}, chunkKeys(name, 0, 1)), rawKeys(t, ctx, b, name),
		"no partial chunk; the marker is kept: the stream is not complete")
	// A new writer resumes the stream and completes it.
	w2, err := c.PutStreamObject(ctx, name, nil)
	require.NoError(t, err)
	writeChunks(t, w2, 1, 2)
	require.NoError(t, w2.Close())
	assert.Equal(t, chunksData(0, 2), readStream(t, ctx, c, name, 0))
}

func testStreamBadArguments(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cb := &counting{Backend: b}
	c := newClient(cb)
	_, err := c.PutStreamObject(ctx, "ba/cap", map[string]string{"bad key": "v"})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	_, err = c.GetStreamObjectAtOffset(ctx, "ba/cap", -1)
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "ba/cap")
	_, err = c.OpenStream(ctx, "ba/cap", -2)
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "ba/cap")
	assert.Zero(t, cb.total(), "bad arguments are refused before any I/O")
}
