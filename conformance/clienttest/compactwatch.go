package clienttest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// Stream compaction (Client.CompactStream) and watching a prefix
// (Client.Watch). The checks that a defect must be able to fail are
// functions returning an error (checkCompact, checkWatchEvents), which
// compactwatch_test.go runs on broken backends.
var compactWatchCases = []testCase{
	{"stream/compact-many-chunks", testCompactManyChunks},
	{"stream/compact-refusals", testCompactRefusals},
	{"stream/compact-large-chunks", testCompactLargeChunks},
	{"stream/compact-streams-one-chunk-at-a-time", testCompactLazy},
	{"watch/events-in-order", testWatchEvents},
	{"watch/existing-errors-and-end", testWatchExistingErrorsEnd},
}

// manyChunks is the size of the stream the compaction check builds:
// 10,000 chunks on the local drivers (mem, fs), 300 on network stores,
// where each chunk is a request, to keep the suite fast.
func manyChunks(b backend.Backend) int {
	if s, ok := b.(fmt.Stringer); ok {
		if name := s.String(); name == "mem" || strings.HasPrefix(name, "file://") {
			return 10_000
		}
	}
	return 300
}

// putRawChunks stores chunks 0..n-1 of the closed stream name through the
// backend, as a finished writer leaves them, with a few goroutines, and
// returns their concatenation. Chunk 0 carries meta.
func putRawChunks(ctx context.Context, b backend.Backend, name string, n int, meta map[string]string) (string, error) {
	keys := chunkKeys(name, 0, n)
	var want strings.Builder
	for i := range n {
		want.WriteString(chunkData(i))
	}
	const workers = 16
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || errs[w] != nil {
					return
				}
				var md map[string]string
				if i == 0 {
					md = meta
				}
				data := chunkData(i)
				if _, err := b.Put(ctx, keys[i], strings.NewReader(data), backend.PutOptions{Size: int64(len(data)), Metadata: md}); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return want.String(), errors.Join(errs...)
}

// checkCompact compacts the closed stream name into dest and checks the
// object: its bytes are want, its metadata is wantMeta, the info counts
// every chunk, and the stream is still there.
func checkCompact(ctx context.Context, c *objstore.Client, name, dest, want string, chunks int, wantMeta map[string]string) error {
	info, err := c.CompactStream(ctx, name, dest, objstore.CompactOptions{})
	if err != nil {
		return fmt.Errorf("CompactStream(%q, %q): %w", name, dest, err)
	}
	if info.Chunks != chunks || info.Size != int64(len(want)) {
		return fmt.Errorf("CompactStream reports %d chunks and %d bytes, want %d and %d", info.Chunks, info.Size, chunks, len(want))
	}
	rc, err := c.GetObject(ctx, dest)
	if err != nil {
		return err
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	if string(got) != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		return fmt.Errorf("%s holds %d bytes that differ from the %d bytes of the stream's chunks in order, from byte %d on", dest, len(got), len(want), i)
	}
	st, err := c.StatObject(ctx, dest)
	if err != nil {
		return err
	}
	if st.IsStream || fmt.Sprint(st.Metadata) != fmt.Sprint(wantMeta) {
		return fmt.Errorf("%s: stream %v, metadata %v; want a plain object with metadata %v", dest, st.IsStream, st.Metadata, wantMeta)
	}
	sst, err := c.StatObject(ctx, name)
	if err != nil || !sst.IsStream || sst.Chunks != chunks {
		return fmt.Errorf("the stream must stay after a compaction: stat %v, %v", sst, err)
	}
	return nil
}

func testCompactManyChunks(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	n := manyChunks(b)
	const name = "compact/cap"
	meta := map[string]string{"iface": "eth0"}
	want, err := putRawChunks(ctx, b, name, n, meta)
	require.NoError(t, err)
	require.NoError(t, checkCompact(ctx, c, name, "compact/cap.pcap", want, n, meta))

	// Given metadata and content type replace the stream's.
	info, err := c.CompactStream(ctx, name, "compact/other.bin", objstore.CompactOptions{
		ContentType: "application/vnd.tcpdump.pcap", Metadata: map[string]string{"Kind": "capture"}})
	require.NoError(t, err)
	_, hasComposer := backend.As[backend.Composer](b)
	if !hasComposer {
		assert.False(t, info.ServerSide, "a backend without a Composer can only stream")
	}
	st, err := c.StatObject(ctx, "compact/other.bin")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"kind": "capture"}, st.Metadata)
	assert.Equal(t, "application/vnd.tcpdump.pcap", st.ContentType)
	assert.EqualValues(t, len(want), st.Size)

	// Nothing but the stream and the two objects: a server-side compose
	// leaves no intermediate object behind.
	for _, k := range rawKeys(t, ctx, b, "compact/") {
		if k != "compact/cap.pcap" && k != "compact/other.bin" && !strings.HasPrefix(k, name+"/") {
			t.Errorf("unexpected key %q after the compaction", k)
		}
	}
}

func testCompactRefusals(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)

	_, err := c.CompactStream(ctx, "none/cap", "none.bin", objstore.CompactOptions{})
	requireErrorNames(t, err, objstore.ErrNotFound, "none/cap")

	// In progress: refused, and the destination is not touched.
	putString(t, ctx, c, "dst/keep", "old", nil)
	w, err := c.PutStreamObject(ctx, "live/cap", nil)
	require.NoError(t, err)
	writeChunks(t, w, 0, 3)
	_, err = c.CompactStream(ctx, "live/cap", "dst/keep", objstore.CompactOptions{})
	requireErrorNames(t, err, objstore.ErrInvalidArgument, "live/cap")
	assert.Contains(t, err.Error(), "in progress")
	assert.Equal(t, "old", getString(t, ctx, c, "dst/keep"))
	require.NoError(t, w.Close())
	_, err = c.CompactStream(ctx, "live/cap", "dst/keep", objstore.CompactOptions{})
	require.NoError(t, err, "once closed")
	assert.Equal(t, chunksData(0, 3), getString(t, ctx, c, "dst/keep"))

	// Destinations that are stream keys, or the stream's own name.
	for _, dest := range []string{"live/cap", "live/cap/cap.7", "live/cap/.inprogress", "x/y/y.0"} {
		_, err = c.CompactStream(ctx, "live/cap", dest, objstore.CompactOptions{})
		require.ErrorIs(t, err, objstore.ErrInvalidArgument, "destination %q", dest)
	}
	_, err = c.CompactStream(ctx, "live/cap", "../x", objstore.CompactOptions{})
	require.ErrorIs(t, err, objstore.ErrInvalidKey)

	// A gap below the last chunk: ErrNotFound naming the first missing one.
	writeStream(t, ctx, c, "gap/cap", 5, nil)
	require.NoError(t, b.Remove(ctx, "gap/cap/cap.2"))
	_, err = c.CompactStream(ctx, "gap/cap", "dst/keep", objstore.CompactOptions{})
	requireErrorNames(t, err, objstore.ErrNotFound, "gap/cap/cap.2")
	assert.Contains(t, err.Error(), "missing chunk 2")
	assert.Equal(t, chunksData(0, 3), getString(t, ctx, c, "dst/keep"), "a refused compaction leaves the destination alone")

	// The first chunks missing: a gap too, unless FromFirstChunk.
	writeStream(t, ctx, c, "head/cap", 4, nil)
	require.NoError(t, b.Remove(ctx, "head/cap/cap.0"))
	_, err = c.CompactStream(ctx, "head/cap", "dst/head", objstore.CompactOptions{})
	requireErrorNames(t, err, objstore.ErrNotFound, "head/cap/cap.0")
	info, err := c.CompactStream(ctx, "head/cap", "dst/head", objstore.CompactOptions{FromFirstChunk: true})
	require.NoError(t, err)
	assert.Equal(t, 1, info.FirstChunk)
	assert.Equal(t, 3, info.Chunks)
	assert.Equal(t, chunksData(1, 4), getString(t, ctx, c, "dst/head"))

	// An empty stream (only empty chunks) compacts to an empty object.
	w, err = c.PutStreamObject(ctx, "empty/cap", nil)
	require.NoError(t, err)
	_, err = w.Write(nil)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	info, err = c.CompactStream(ctx, "empty/cap", "dst/empty", objstore.CompactOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 0, info.Size)
	assert.Equal(t, "", getString(t, ctx, c, "dst/empty"))
}

// testCompactLargeChunks compacts chunks of 5 MiB, which every
// server-side path accepts (S3 and MinIO need every part but the last to
// be 5 MiB or more), and the same stream by streaming.
func testCompactLargeChunks(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	const name = "big/cap"
	meta := map[string]string{"host": "h1"}
	w, err := c.PutStreamObject(ctx, name, meta)
	require.NoError(t, err)
	var all bytes.Buffer
	for i, size := range []int{5 << 20, 5<<20 + 3, 1000} {
		p := bytes.Repeat([]byte{byte('a' + i)}, size)
		p[0], p[len(p)-1] = byte(i), byte(i)
		_, err := w.Write(p)
		require.NoError(t, err)
		all.Write(p)
	}
	require.NoError(t, w.Close())
	want := sha256.Sum256(all.Bytes())

	_, composer := backend.As[backend.Composer](b)
	for _, streaming := range []bool{false, true} {
		dest := fmt.Sprintf("big/out-%v", streaming)
		info, err := c.CompactStream(ctx, name, dest, objstore.CompactOptions{Streaming: streaming})
		require.NoError(t, err, "streaming %v", streaming)
		assert.EqualValues(t, all.Len(), info.Size)
		if streaming || !composer {
			assert.False(t, info.ServerSide, "streaming %v", streaming)
		}
		t.Logf("streaming %v: server-side %v", streaming, info.ServerSide)
		rc, err := c.GetObject(ctx, dest)
		require.NoError(t, err)
		h := sha256.New()
		_, err = io.Copy(h, rc)
		require.NoError(t, rc.Close())
		require.NoError(t, err)
		assert.Equal(t, want[:], h.Sum(nil), "the bytes of %s", dest)
		st, err := c.StatObject(ctx, dest)
		require.NoError(t, err)
		assert.Equal(t, meta, st.Metadata)
	}
}

// openCounting counts the bodies a backend has open at once. It hides
// the inner backend's capabilities, so the client streams.
type openCounting struct {
	backend.Backend
	open, peak atomic.Int64
}

func (o *openCounting) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := o.Backend.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	n := o.open.Add(1)
	for p := o.peak.Load(); n > p && !o.peak.CompareAndSwap(p, n); p = o.peak.Load() {
	}
	return &countedBody{ReadCloser: rc, open: &o.open}, info, nil
}

type countedBody struct {
	io.ReadCloser
	open *atomic.Int64
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.open.Add(-1) })
	return b.ReadCloser.Close()
}

// testCompactLazy: the streaming path holds one chunk's body open at a
// time and closes every one.
func testCompactLazy(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	const name = "lazy/cap"
	writeStream(t, ctx, newClient(b), name, 40, nil)
	oc := &openCounting{Backend: b}
	c := newClient(oc)
	info, err := c.CompactStream(ctx, name, "lazy/out", objstore.CompactOptions{})
	require.NoError(t, err)
	assert.False(t, info.ServerSide)
	assert.EqualValues(t, 1, oc.peak.Load(), "chunk bodies open at once")
	assert.EqualValues(t, 0, oc.open.Load(), "chunk bodies left open")
	assert.Equal(t, chunksData(0, 40), getString(t, ctx, c, "lazy/out"))
}

// watchInterval is the listing interval of the watch checks.
const watchInterval = 20 * time.Millisecond

// watcher runs one Watch in a goroutine of the test and hands its events
// over; stop ends it and waits for the goroutine.
type watcher struct {
	events chan objstore.WatchEvent
	errs   chan error
	cancel context.CancelFunc
	done   chan struct{}
}

func startWatch(ctx context.Context, c *objstore.Client, prefix string, opts objstore.WatchOptions) *watcher {
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{events: make(chan objstore.WatchEvent, 100), errs: make(chan error, 100), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for ev, err := range c.Watch(ctx, prefix, opts) {
			if err != nil {
				w.errs <- err
				continue
			}
			w.events <- ev
		}
	}()
	return w
}

func (w *watcher) stop() error {
	w.cancel()
	select {
	case <-w.done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("the watch did not end within 10s of its context")
	}
}

// next returns the next event, or an error after wait.
func (w *watcher) next(wait time.Duration) (objstore.WatchEvent, error) {
	select {
	case ev := <-w.events:
		return ev, nil
	case err := <-w.errs:
		return objstore.WatchEvent{}, fmt.Errorf("the watch failed: %w", err)
	case <-time.After(wait):
		return objstore.WatchEvent{}, fmt.Errorf("no event within %v", wait)
	}
}

// expect waits for the event typ on key.
func (w *watcher) expect(wait time.Duration, typ objstore.WatchEventType, key string) error {
	ev, err := w.next(wait)
	if err != nil {
		return fmt.Errorf("waiting for %s %s: %w", typ, key, err)
	}
	if ev.Type != typ || ev.Object.Key != key {
		return fmt.Errorf("got %s %s, want %s %s", ev.Type, ev.Object.Key, typ, key)
	}
	return nil
}

// checkWatchEvents watches "w/" while it puts, overwrites and removes
// objects, one step after the previous event arrived, and requires each
// event in order within wait, and no event for keys outside the prefix
// or for the objects there before the watch began.
func checkWatchEvents(ctx context.Context, c *objstore.Client, wait time.Duration) (err error) {
	if _, err := c.PutObject(ctx, "w/old", strings.NewReader("old"), nil); err != nil {
		return err
	}
	w := startWatch(ctx, c, "w/", objstore.WatchOptions{Interval: watchInterval})
	defer func() { err = errors.Join(err, w.stop()) }()
	// The baseline is silent: give the first listing time to happen.
	if ev, err := w.next(5 * watchInterval); err == nil {
		return fmt.Errorf("an event before any change: %s %s", ev.Type, ev.Object.Key)
	}
	steps := []struct {
		do  func() error
		typ objstore.WatchEventType
		key string
	}{
		{func() error { _, err := c.PutObject(ctx, "w/a", strings.NewReader("v1"), nil); return err }, objstore.WatchCreated, "w/a"},
		{func() error { _, err := c.PutObject(ctx, "w/a", strings.NewReader("version2"), nil); return err }, objstore.WatchChanged, "w/a"},
		{func() error {
			if _, err := c.PutObject(ctx, "wx", strings.NewReader("outside"), nil); err != nil {
				return err
			}
			_, err := c.PutObject(ctx, "w/b/c", strings.NewReader("nested"), nil)
			return err
		}, objstore.WatchCreated, "w/b/c"},
		{func() error { return c.RemoveObject(ctx, "w/a") }, objstore.WatchRemoved, "w/a"},
		{func() error { return c.RemoveObject(ctx, "w/old") }, objstore.WatchRemoved, "w/old"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return err
		}
		if err := w.expect(wait, s.typ, s.key); err != nil {
			return err
		}
	}
	if ev, err := w.next(5 * watchInterval); err == nil {
		return fmt.Errorf("an event nothing caused: %s %s", ev.Type, ev.Object.Key)
	}
	return nil
}

func testWatchEvents(t *testing.T, b backend.Backend) {
	require.NoError(t, checkWatchEvents(testContext(t), newClient(b), 20*time.Second))
}

// failingList fails every List while fail is set.
type failingList struct {
	backend.Backend
	fail atomic.Bool
}

func (f *failingList) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if f.fail.Load() {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrUnavailable, errors.New("connection refused (injected by the test)"))
	}
	return f.Backend.List(ctx, opts)
}

func testWatchExistingErrorsEnd(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	fl := &failingList{Backend: b}
	c := newClient(fl)
	putString(t, ctx, c, "e/1", "1", nil)
	putString(t, ctx, c, "e/2", "2", nil)

	// An invalid prefix: one error, then the end.
	var errs []error
	for _, err := range c.Watch(ctx, "../", objstore.WatchOptions{}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], objstore.ErrInvalidKey)

	// Existing: the objects there come first, in key order.
	w := startWatch(ctx, c, "e/", objstore.WatchOptions{Interval: watchInterval, Existing: true})
	require.NoError(t, w.expect(20*time.Second, objstore.WatchCreated, "e/1"))
	require.NoError(t, w.expect(20*time.Second, objstore.WatchCreated, "e/2"))

	// A failing listing is reported and the watch goes on.
	fl.fail.Store(true)
	select {
	case err := <-w.errs:
		require.ErrorIs(t, err, objstore.ErrUnavailable)
	case <-time.After(20 * time.Second):
		t.Fatal("a failed listing was not reported")
	}
	putString(t, ctx, c, "e/3", "3", nil)
	fl.fail.Store(false)
	// Listings that failed before the store came back may still be
	// reported; the next event is e/3's.
	select {
	case ev := <-w.events:
		assert.Equal(t, objstore.WatchCreated, ev.Type)
		assert.Equal(t, "e/3", ev.Object.Key)
	case <-time.After(20 * time.Second):
		t.Fatal("no event for e/3 after the listings failed")
	}
	require.NoError(t, w.stop(), "the watch ends with its context")

	// A loop that breaks ends the watch at once.
	for ev, err := range c.Watch(ctx, "e/", objstore.WatchOptions{Existing: true}) {
		require.NoError(t, err)
		assert.Equal(t, "e/1", ev.Object.Key)
		break
	}
}
