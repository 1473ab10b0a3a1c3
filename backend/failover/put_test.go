package failover

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// onlyReader hides every method of a reader but Read (no Seek).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestPutRetryRewindsASeekableReader(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	c.ep("a").script(
		fault{op: "put", kind: backend.ErrUnavailable, readN: 1000},
		fault{op: "put", kind: backend.ErrServerBusy, readN: 100000},
		fault{op: "put", kind: backend.ErrUnavailable, readN: -1}, // the whole body went out
	)
	data := randomBytes(3, 256<<10)
	// The reader does not start at 0: the retry goes back to where it was.
	src := bytes.NewReader(append([]byte("prefix-not-part-of-the-object"), data...))
	_, err := src.Seek(int64(len("prefix-not-part-of-the-object")), io.SeekStart)
	require.NoError(t, err)

	info, err := b.Put(context.Background(), "k", src, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), info.Size)
	assert.Len(t, c.ep("a").callsOf("put"), 4)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
}

func TestPutRetryFailsOverWithTheSameBytes(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, readN: 7000, times: -1})
	c.ep("b").script(fault{op: "put", kind: backend.ErrUnavailable, readN: 9000, times: 1})
	data := randomBytes(4, 64<<10)
	_, err := b.Put(context.Background(), "k", bytes.NewReader(data), backend.PutOptions{Size: -1})
	require.NoError(t, err)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
}

func TestPutNonSeekablePartlyReadFailsWithoutObject(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, readN: 1000})
	c.ep("b").script(fault{op: "put", kind: backend.ErrUnavailable, readN: 1000})
	data := randomBytes(5, 64<<10)

	_, err := b.Put(context.Background(), "k", onlyReader{bytes.NewReader(data)}, backend.PutOptions{Size: int64(len(data))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNotRewindable)
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Contains(t, err.Error(), `objstore: put "k"`)
	assert.Contains(t, err.Error(), "pass an io.ReadSeeker to allow retries")
	assert.Contains(t, err.Error(), "delivered 1000 bytes")
	assert.Contains(t, err.Error(), "connection refused", "the cause is named")
	assert.Equal(t, 1, strings.Count(err.Error(), "objstore:"), "nested errors are not repeated: %v", err)
	assert.Equal(t, 1, len(c.ep("a").callsOf("put"))+len(c.ep("b").callsOf("put")), "no second attempt")
	_, err = c.direct().Stat(context.Background(), "k")
	assert.ErrorIs(t, err, backend.ErrNotFound, "never a short object")
}

func TestPutNonSeekableUntouchedIsRetried(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	// Refused before the body was read (readN 0), twice.
	c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, times: 2})
	data := randomBytes(6, 32<<10)
	_, err := b.Put(context.Background(), "k", onlyReader{bytes.NewReader(data)}, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Len(t, c.ep("a").callsOf("put"), 3)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
}

func TestPutUnseekableSeekerIsTreatedAsNonSeekable(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	c.ep("a").script(fault{op: "put", kind: backend.ErrServerBusy, readN: 10})
	r := &badSeeker{Reader: bytes.NewReader([]byte("0123456789abcdef"))}
	_, err := b.Put(context.Background(), "k", r, backend.PutOptions{Size: 16})
	require.ErrorIs(t, err, ErrNotRewindable)
	require.ErrorIs(t, err, backend.ErrServerBusy)
}

// badSeeker claims io.Seeker but cannot seek (a pipe behind *os.File).
type badSeeker struct{ io.Reader }

func (badSeeker) Seek(int64, int) (int64, error) { return 0, errors.New("illegal seek") }

func TestPutSourceErrorIsNotRetried(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	boom := errors.New("disk read failed")
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 1000)), iotest.ErrReader(boom))
	_, err := b.Put(context.Background(), "k", r, backend.PutOptions{Size: 5000})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), `put "k"`)
	assert.Equal(t, 1, len(c.ep("a").callsOf("put"))+len(c.ep("b").callsOf("put")))
	_, err = c.direct().Stat(context.Background(), "k")
	assert.ErrorIs(t, err, backend.ErrNotFound)
}

func TestPutStallTimeoutAbortsTheAttempt(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	cfg.AttemptTimeout, cfg.StallTimeout = 80*time.Millisecond, 150*time.Millisecond
	b := newBackend(t, cfg)
	// a swallows the body and never answers; b hangs before reading.
	c.ep("a").script(fault{op: "put", hang: true, readN: -1})
	c.ep("b").script(fault{op: "put", hang: true})
	data := randomBytes(7, 10000)
	start := time.Now()
	_, err := b.Put(context.Background(), "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	elapsed := time.Since(start)
	// One StallTimeout (after the body) and one AttemptTimeout (before it).
	assert.GreaterOrEqual(t, elapsed, 230*time.Millisecond)
	assert.Less(t, elapsed, time.Second)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
	assert.Equal(t, 3, len(c.ep("a").callsOf("put"))+len(c.ep("b").callsOf("put")),
		"both hung attempts were abandoned, the third succeeded")
}

// slowReader delivers its bytes with a pause before each Read.
type slowReader struct {
	r     io.Reader
	pause time.Duration
}

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p)
}

func TestSlowSourceIsNotAStall(t *testing.T) {
	c := newFakeCluster(t, "a")
	cfg := c.config()
	cfg.AttemptTimeout, cfg.StallTimeout = 30*time.Millisecond, 30*time.Millisecond
	b := newBackend(t, cfg)
	data := randomBytes(8, 4000)
	r := slowReader{r: iotest.OneByteReader(bytes.NewReader(data[:1])), pause: 100 * time.Millisecond}
	src := io.MultiReader(r, bytes.NewReader(data[1:]))
	_, err := b.Put(context.Background(), "k", onlyReader{src}, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err, "time spent in the caller's reader is not the server's stall")
	assert.Len(t, c.ep("a").callsOf("put"), 1)
}

func TestIfNotExistRetryFindsItsOwnWrite(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	// The first attempt stored the object, but the answer was lost.
	c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, apply: true})
	c.ep("b").script(fault{op: "put", kind: backend.ErrUnavailable, apply: true})
	data := randomBytes(9, 20000)
	sum := md5.Sum(data)

	info, err := b.Put(context.Background(), "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: true})
	require.NoError(t, err, "the retry's ErrExist is our own write")
	assert.Equal(t, hex.EncodeToString(sum[:]), info.ETag)
	assert.Equal(t, int64(len(data)), info.Size)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
	assert.Equal(t, 1, len(c.ep("a").callsOf("stat"))+len(c.ep("b").callsOf("stat")))
}

func TestIfNotExistConflictsAreReported(t *testing.T) {
	t.Run("existing object", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		_, err := c.direct().Put(context.Background(), "k", strings.NewReader("theirs"), backend.PutOptions{Size: 6})
		require.NoError(t, err)
		_, err = b.Put(context.Background(), "k", strings.NewReader("theirs"), backend.PutOptions{Size: 6, IfNotExist: true})
		require.ErrorIs(t, err, backend.ErrExist, "same bytes, but no attempt of ours had an unknown outcome")
		assert.Len(t, c.ep("a").callsOf("put"), 1)
		assert.Empty(t, c.ep("a").callsOf("stat"))
	})
	t.Run("another writer between the attempts", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, apply: true})
		o := &overwriter{store: c, key: "k", data: "theirs"}
		ctx := backend.WithAttemptHook(context.Background(), o.hook)
		_, err := b.Put(ctx, "k", strings.NewReader("mine"), backend.PutOptions{Size: 4, IfNotExist: true})
		require.ErrorIs(t, err, backend.ErrExist)
		assert.Equal(t, []byte("theirs"), getAll(t, c.direct(), "k"))
	})
	t.Run("answer lost before the body was sent", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		_, err := c.direct().Put(context.Background(), "k", strings.NewReader("mine"), backend.PutOptions{Size: 4})
		require.NoError(t, err)
		// The first attempt failed after 2 of 4 bytes: it cannot have
		// stored anything, so an identical object is someone else's.
		c.ep("a").script(fault{op: "put", kind: backend.ErrUnavailable, readN: 2})
		_, err = b.Put(context.Background(), "k", strings.NewReader("mine"), backend.PutOptions{Size: 4, IfNotExist: true})
		require.ErrorIs(t, err, backend.ErrExist)
	})
}

// overwriter is an attempt hook that, before the first retry of a put,
// replaces the object as another writer would.
type overwriter struct {
	store *fakeCluster
	key   string
	data  string
	done  bool
}

func (o *overwriter) hook(ev backend.AttemptEvent) {
	if o.done || ev.Kind != backend.AttemptRetry || ev.Op != "put" {
		return
	}
	o.done = true
	_, _ = o.store.direct().Put(context.Background(), o.key, strings.NewReader(o.data), backend.PutOptions{Size: int64(len(o.data))})
}

func TestETagComparison(t *testing.T) {
	sum := md5.Sum([]byte("x"))
	h := hex.EncodeToString(sum[:])
	assert.True(t, etagIs(h, sum[:]))
	assert.True(t, etagIs(`"`+strings.ToUpper(h)+`"`, sum[:]))
	assert.False(t, etagIs(h+"-2", sum[:]), "a multipart ETag is never an MD5")
	assert.False(t, etagIs("", nil))
}
