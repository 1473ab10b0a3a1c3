package failover

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func putDirect(t *testing.T, c *fakeCluster, key string, data []byte) {
	t.Helper()
	_, err := c.direct().Put(context.Background(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
}

func TestGetResumesByteIdentical(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	rec := &recorder{}
	b := rec.watch(newBackend(t, c.config()))
	data := randomBytes(10, 300<<10)
	putDirect(t, c, "k", data)
	c.ep("a").script(fault{op: "get", body: true, at: 1000, kind: backend.ErrUnavailable})
	c.ep("b").script(fault{op: "get", body: true, at: 50000, kind: backend.ErrUnavailable})

	got := getAll(t, b, "k")
	require.True(t, bytes.Equal(data, got), "byte-identical")

	var calls []call
	calls = append(calls, c.ep("a").callsOf("get")...)
	calls = append(calls, c.ep("b").callsOf("get")...)
	sort.Slice(calls, func(i, j int) bool { return calls[i].offset < calls[j].offset })
	require.Len(t, calls, 3)
	first := calls[1].offset // where the first body broke: 1000 or 50000
	assert.Contains(t, []int64{1000, 50000}, first)
	assert.Equal(t, int64(len(data))-first, calls[1].length, "the resume asks for the rest only")
	assert.Equal(t, int64(51000), calls[2].offset)
	retries, _, _ := rec.snapshot()
	assert.Len(t, retries, 2, "each break is reported")
}

func TestGetRangeResumes(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	data := randomBytes(11, 100000)
	putDirect(t, c, "k", data)
	c.ep("a").script(fault{op: "get", body: true, at: 777, kind: backend.ErrUnavailable})

	rc, info, err := b.Get(context.Background(), "k", backend.GetOptions{Offset: 123, Length: 50000})
	require.NoError(t, err)
	defer rc.Close()
	assert.Equal(t, int64(len(data)), info.Size, "info is of the whole object")
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data[123:123+50000], got))
	calls := c.ep("a").callsOf("get")
	require.Len(t, calls, 2)
	assert.Equal(t, call{op: "get", key: "k", offset: 900, length: 50000 - 777}, calls[1])
}

func TestGetResumeRefusesAChangedObject(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	data := randomBytes(12, 100000)
	putDirect(t, c, "k", data)
	replace := func() { putDirect(t, c, "k", randomBytes(13, 100000)) }
	for _, n := range []string{"a", "b"} {
		c.ep(n).script(fault{op: "get", body: true, at: 1000, kind: backend.ErrUnavailable, hook: replace})
	}
	rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	require.Error(t, err, "never a clean EOF")
	assert.ErrorIs(t, err, ErrObjectChanged)
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Contains(t, err.Error(), "read it again")
	assert.True(t, bytes.Equal(data[:1000], got), "the bytes delivered are the old version's")
	_, err = rc.Read(make([]byte, 10))
	assert.ErrorIs(t, err, ErrObjectChanged, "the failure is sticky")
}

func TestGetNeverEndsShortWithCleanEOF(t *testing.T) {
	t.Run("short body is resumed", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		data := randomBytes(14, 20000)
		putDirect(t, c, "k", data)
		c.ep("a").script(fault{op: "get", body: true, at: 5000, eof: true})
		assert.True(t, bytes.Equal(data, getAll(t, b, "k")))
	})
	t.Run("resume impossible: error", func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		b := newBackend(t, c.config())
		data := randomBytes(15, 20000)
		putDirect(t, c, "k", data)
		allDown := func() {
			for _, n := range []string{"a", "b"} {
				c.ep(n).rescript(fault{op: "get", kind: backend.ErrUnavailable, times: -1})
			}
		}
		c.ep("a").script(fault{op: "get", body: true, at: 5000, kind: backend.ErrUnavailable, hook: allDown})
		c.ep("b").script(fault{op: "get", body: true, at: 5000, kind: backend.ErrUnavailable, hook: allDown})
		rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		got, err := io.ReadAll(rc)
		require.ErrorIs(t, err, backend.ErrUnavailable)
		assert.Equal(t, 5000, len(got))
	})
	t.Run("not found while resuming", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		putDirect(t, c, "k", randomBytes(16, 20000))
		remove := func() { require.NoError(t, c.direct().Remove(context.Background(), "k")) }
		c.ep("a").script(fault{op: "get", body: true, at: 100, kind: backend.ErrUnavailable, hook: remove})
		rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		_, err = io.ReadAll(rc)
		require.ErrorIs(t, err, backend.ErrNotFound)
	})
	t.Run("endless breaks without progress give up", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		putDirect(t, c, "k", randomBytes(17, 20000))
		c.ep("a").script(fault{op: "get", body: true, at: 0, kind: backend.ErrServerBusy, times: -1})
		rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		got, err := io.ReadAll(rc)
		require.ErrorIs(t, err, backend.ErrServerBusy)
		assert.Empty(t, got)
		assert.Len(t, c.ep("a").callsOf("get"), 1+5, "MaxAttempts resumes without progress")
	})
}

func TestGetStallTimeoutResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		cfg := c.config()
		cfg.StallTimeout = 100 * time.Millisecond
		b := newBackend(t, cfg)
		data := randomBytes(18, 100000)
		putDirect(t, c, "k", data)
		c.ep("a").script(fault{op: "get", body: true, at: 4000, hang: true})
		c.ep("b").script(fault{op: "get", body: true, at: 4000, hang: true})
		start := time.Now()
		got := getAll(t, b, "k")
		elapsed := time.Since(start)
		assert.True(t, bytes.Equal(data, got))
		assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "two stalls")
		assert.Less(t, elapsed, 2*time.Second)
		for _, s := range b.Endpoints() {
			if !s.Up {
				assert.Contains(t, s.LastError.Error(), "StallTimeout")
			}
		}
	})
}

func TestSlowConsumerIsNotAStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.StallTimeout = 30 * time.Millisecond
		b := newBackend(t, cfg)
		data := randomBytes(22, 10000)
		putDirect(t, c, "k", data)
		rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		first := make([]byte, 100)
		_, err = io.ReadFull(rc, first)
		require.NoError(t, err)
		time.Sleep(150 * time.Millisecond) // the caller is busy, not the server
		rest, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, append(first, rest...)))
		assert.Len(t, c.ep("a").callsOf("get"), 1, "no resume")
		assert.True(t, b.Endpoints()[0].Up)
	})
}

func TestGetAttemptTimeoutBeforeTheAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		cfg := c.config()
		cfg.AttemptTimeout = 80 * time.Millisecond
		b := newBackend(t, cfg)
		data := randomBytes(19, 1000)
		putDirect(t, c, "k", data)
		c.ep("a").script(fault{op: "get", hang: true})
		c.ep("b").script(fault{op: "get", hang: true})
		start := time.Now()
		assert.True(t, bytes.Equal(data, getAll(t, b, "k")))
		assert.GreaterOrEqual(t, time.Since(start), 160*time.Millisecond)
	})
}

func TestGetReaderCloseAbortsAndReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.StallTimeout = time.Hour
		b := newBackend(t, cfg)
		putDirect(t, c, "k", randomBytes(20, 10000))
		c.ep("a").script(fault{op: "get", body: true, at: 10, hang: true})
		rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			_, err := io.ReadAll(rc)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		require.NoError(t, rc.Close())
		select {
		case err := <-done:
			require.Error(t, err)
		case <-time.After(2 * time.Second):
			t.Fatal("Close did not abort a blocked Read")
		}
		require.NoError(t, rc.Close(), "Close is idempotent")
		_, err = rc.Read(make([]byte, 1))
		assert.ErrorIs(t, err, backend.ErrClosed)
		assert.True(t, b.Endpoints()[0].Up, "closing a reader is not the server's fault")
	})
}

func TestGetCallerCancelEndsTheDownload(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	putDirect(t, c, "k", randomBytes(21, 10000))
	c.ep("a").script(fault{op: "get", body: true, at: 10, hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	rc, _, err := b.Get(ctx, "k", backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = io.ReadAll(rc)
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, c.ep("a").callsOf("get"), 1, "no resume after the caller cancelled")
}

func TestGetEmptyRanges(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	putDirect(t, c, "k", []byte("hello"))
	putDirect(t, c, "empty", nil)
	for _, tc := range []struct {
		key  string
		opts backend.GetOptions
		want string
	}{
		{"k", backend.GetOptions{Offset: 5, Length: -1}, ""},
		{"k", backend.GetOptions{Offset: 1, Length: 0}, ""},
		{"k", backend.GetOptions{Offset: 1, Length: 100}, "ello"},
		{"empty", backend.WholeObject, ""},
	} {
		rc, _, err := b.Get(context.Background(), tc.key, tc.opts)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(got))
		require.NoError(t, rc.Close())
	}
	_, _, err := b.Get(context.Background(), "k", backend.GetOptions{Offset: 6, Length: -1})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, _, err = b.Get(context.Background(), "k", backend.GetOptions{Offset: -1})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, _, err = b.Get(context.Background(), "a//b", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	_ = strings.NewReader
}
