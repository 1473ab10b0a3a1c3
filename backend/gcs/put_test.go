package gcs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// stallingReader delivers data up to after bytes, then calls onStall once
// and blocks until ctx ends, returning ctx's error: a slow source whose
// Put is cancelled while chunks are already on the server.
type stallingReader struct {
	ctx     context.Context
	data    []byte
	after   int
	onStall func()
	off     int
	reads   atomic.Int64
}

func (s *stallingReader) Read(p []byte) (int, error) {
	s.reads.Add(1)
	if s.off >= s.after {
		if s.onStall != nil {
			s.onStall()
			s.onStall = nil
		}
		<-s.ctx.Done()
		return 0, s.ctx.Err()
	}
	n := copy(p, s.data[s.off:s.after])
	s.off += n
	return n, nil
}

// TestPutCancelledBetweenChunks cancels puts whose first chunks were
// already accepted by the server (256 KiB chunks, cancelled after 700 KiB)
// and checks that no object appears and an existing one is unchanged.
func TestPutCancelledBetweenChunks(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{ChunkSize: 256 << 10})
	ctx := context.Background()
	old := []byte("the old object")
	_, err := b.Put(ctx, "existing", bytes.NewReader(old), backend.PutOptions{Size: int64(len(old)), Metadata: map[string]string{"v": "old"}})
	require.NoError(t, err)

	data := payload(2 << 20)
	for _, c := range []struct {
		key  string
		size int64
	}{{"new-unknown", -1}, {"new-known", int64(len(data))}, {"existing", -1}, {"existing", int64(len(data))}} {
		cctx, cancel := context.WithCancel(ctx)
		r := &stallingReader{ctx: cctx, data: data, after: 700 << 10, onStall: cancel}
		_, err := b.Put(cctx, c.key, r, backend.PutOptions{Size: c.size, Metadata: map[string]string{"v": "new"}})
		cancel()
		require.ErrorIs(t, err, context.Canceled, c.key)
		assert.NotErrorIs(t, err, backend.ErrUnavailable, "the caller's cancellation is not a store failure")
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, c.key, be.Key)
	}
	_, err = b.Stat(ctx, "new-unknown")
	require.ErrorIs(t, err, backend.ErrNotFound)
	_, err = b.Stat(ctx, "new-known")
	require.ErrorIs(t, err, backend.ErrNotFound)
	st, err := b.Stat(ctx, "existing")
	require.NoError(t, err)
	assert.Equal(t, int64(len(old)), st.Size)
	assert.Equal(t, map[string]string{"v": "old"}, st.Metadata)
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "existing", page.Objects[0].Key)
}

var errSource = errors.New("the source broke")

type failingReader struct {
	data  []byte
	after int
	off   int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.off >= f.after {
		return 0, errSource
	}
	n := copy(p, f.data[f.off:f.after])
	f.off += n
	return n, nil
}

// TestPutFailingReaderBetweenChunks: a reader failing after several
// chunks were sent leaves nothing, and its error is returned wrapped, not
// classified as a store failure.
func TestPutFailingReaderBetweenChunks(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{ChunkSize: 256 << 10})
	ctx := context.Background()
	data := payload(2 << 20)
	for _, size := range []int64{-1, int64(len(data))} {
		_, err := b.Put(ctx, "k", &failingReader{data: data, after: 900 << 10}, backend.PutOptions{Size: size})
		require.ErrorIs(t, err, errSource)
		assert.NotErrorIs(t, err, backend.ErrUnavailable)
		assert.NotErrorIs(t, err, backend.ErrServerBusy)
	}
	_, err := b.Stat(ctx, "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
}

// TestIfNotExist checks create-only puts on both upload paths (one
// request, and resumable), and that the 412 stays reachable as a
// *googleapi.Error.
func TestIfNotExist(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{ChunkSize: 256 << 10})
	ctx := context.Background()
	for _, size := range []int{10, 1 << 20} {
		first, second := payload(size), bytes.Repeat([]byte{'x'}, size)
		key := "once-" + string(rune('a'+size%26))
		_, err := b.Put(ctx, key, bytes.NewReader(first), backend.PutOptions{Size: int64(size), IfNotExist: true})
		require.NoError(t, err)
		for _, declared := range []int64{int64(size), -1} {
			_, err = b.Put(ctx, key, bytes.NewReader(second), backend.PutOptions{Size: declared, IfNotExist: true, Metadata: map[string]string{"v": "2"}})
			require.ErrorIs(t, err, backend.ErrExist, "size %d", size)
			var gerr *googleapi.Error
			require.ErrorAs(t, err, &gerr)
			assert.Equal(t, 412, gerr.Code)
		}
		rc, info, err := b.Get(ctx, key, backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.True(t, bytes.Equal(first, got), "the first object is unchanged")
		assert.Nil(t, info.Metadata)
	}
}

// TestMetadataNonASCII round-trips non-ASCII metadata values and a content
// type with parameters through Put, Stat, Get and List, on both kinds of
// client (the caller's reads with the XML API; metadata always comes from
// the JSON API).
func TestMetadataNonASCII(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	md := map[string]string{"städte": "München, Zürich", "emoji": "📦 ok", "cjk": "日本語のテキスト", "plain": "x"}
	for name, cfg := range map[string]gcs.Config{"own client": {}, "caller's client": {Client: callerClient(t, srv)}} {
		t.Run(name, func(t *testing.T) {
			b := openFresh(t, srv, cfg)
			ctx := context.Background()
			_, err := b.Put(ctx, "m", stringsReader("data"), backend.PutOptions{Size: 4, Metadata: md, ContentType: "text/plain; charset=utf-8"})
			require.ErrorIs(t, err, backend.ErrInvalidArgument, "key städte is not ASCII: NormalizeMetadata refuses it")

			delete(md, "städte")
			md["staedte"] = "München, Zürich"
			want, err := backend.NormalizeMetadata("put", "m", md)
			require.NoError(t, err)
			_, err = b.Put(ctx, "m", stringsReader("data"), backend.PutOptions{Size: 4, Metadata: md, ContentType: "text/plain; charset=utf-8"})
			require.NoError(t, err)
			st, err := b.Stat(ctx, "m")
			require.NoError(t, err)
			assert.Equal(t, want, st.Metadata)
			assert.Equal(t, "text/plain; charset=utf-8", st.ContentType)
			rc, gi, err := b.Get(ctx, "m", backend.GetOptions{Offset: 1, Length: 2})
			require.NoError(t, err)
			got, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			assert.Equal(t, "at", string(got))
			assert.Equal(t, want, gi.Metadata)
			page, err := b.List(ctx, backend.ListOptions{})
			require.NoError(t, err)
			require.Len(t, page.Objects, 1)
			assert.Equal(t, want, page.Objects[0].Metadata)
			delete(md, "staedte")
			md["städte"] = "München, Zürich"
		})
	}
}

func TestRemoveMany(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{RemoveConcurrency: 4})
	ctx := context.Background()
	var keys []string
	for i := range 37 {
		k := "rm/" + string(rune('a'+i%26)) + strings.Repeat("x", i)
		keys = append(keys, k)
		_, err := b.Put(ctx, k, stringsReader("v"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
	}
	_, err := b.Put(ctx, "keep", stringsReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	require.NoError(t, b.RemoveMany(ctx, append(keys, "rm/missing", keys[0])))
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "keep", page.Objects[0].Key)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = b.RemoveMany(cctx, []string{"keep", "other"})
	require.ErrorIs(t, err, context.Canceled)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	_, err = b.Stat(ctx, "keep")
	require.NoError(t, err, "a cancelled RemoveMany removes nothing")
}

// TestErrorsUnreachable: a server that refuses connections is
// ErrUnavailable, with the key named; the raw driver makes one attempt.
func TestErrorsUnreachable(t *testing.T) {
	b, err := gcs.NewDriver(context.Background(), gcs.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1/storage/v1/", Anonymous: true})
	require.NoError(t, err)
	defer b.Close()
	for op, call := range map[string]func(ctx context.Context) error{
		"stat": func(ctx context.Context) error { _, err := b.Stat(ctx, "some/key"); return err },
		"put": func(ctx context.Context) error {
			_, err := b.Put(ctx, "some/key", stringsReader("v"), backend.PutOptions{Size: 1})
			return err
		},
		"get":  func(ctx context.Context) error { _, _, err := b.Get(ctx, "some/key", backend.WholeObject); return err },
		"list": func(ctx context.Context) error { _, err := b.List(ctx, backend.ListOptions{}); return err },
	} {
		// No deadline: one attempt returns at once, where the storage
		// library alone would retry until the context ends.
		start := time.Now()
		err := call(context.Background())
		require.ErrorIs(t, err, backend.ErrUnavailable, op)
		var be *backend.Error
		require.ErrorAs(t, err, &be, op)
		assert.Equal(t, op, be.Op)
		assert.Less(t, time.Since(start), 10*time.Second, op)
	}
}

// TestMaxAttemptsEndsRetries: without a deadline, a call of New's
// Backend to a dead server returns ErrUnavailable after Retry.MaxAttempts
// attempts (a *failover.RetryError says so), puts of every kind included.
func TestMaxAttemptsEndsRetries(t *testing.T) {
	b, err := gcs.New(context.Background(), gcs.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1/storage/v1/", Anonymous: true,
		Retry: failover.Retry{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}})
	require.NoError(t, err)
	defer b.Close()
	for op, call := range map[string]func() error{
		"stat": func() error { _, err := b.Stat(context.Background(), "some/key"); return err },
		"put": func() error {
			_, err := b.Put(context.Background(), "some/key", stringsReader("v"), backend.PutOptions{Size: 1})
			return err
		},
		"put of unknown size": func() error {
			_, err := b.Put(context.Background(), "some/key", stringsReader("v"), backend.PutOptions{Size: -1})
			return err
		},
		"create-only put": func() error {
			_, err := b.Put(context.Background(), "some/key", stringsReader("v"), backend.PutOptions{Size: 1, IfNotExist: true})
			return err
		},
		"list": func() error { _, err := b.List(context.Background(), backend.ListOptions{}); return err },
	} {
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			require.ErrorIs(t, err, backend.ErrUnavailable, op)
			var re *failover.RetryError
			require.ErrorAs(t, err, &re, op, "a seekable reader is sent again")
			assert.Equal(t, 2, re.Attempts, op)
		case <-time.After(30 * time.Second):
			t.Fatalf("%s of a dead server still retrying after 30s: MaxAttempts is not applied", op)
		}
	}

	_, err = gcs.New(context.Background(), gcs.Config{Bucket: "b", Retry: failover.Retry{MaxAttempts: -1}})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
}
