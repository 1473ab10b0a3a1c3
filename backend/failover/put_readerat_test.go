package failover

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// atEndpoint is a fake endpoint whose puts read the body at offsets, in
// parallel, as s3core does for a reader that has ReadAt and Seek; its
// first put fails after reading part of the object.
type atEndpoint struct {
	*fakeEndpoint
	mu       sync.Mutex
	attempts int
	sawAt    []bool
}

func (e *atEndpoint) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	e.mu.Lock()
	e.attempts++
	first := e.attempts == 1
	ra, isAt := r.(io.ReaderAt)
	sk, isSeeker := r.(io.Seeker)
	e.sawAt = append(e.sawAt, isAt && isSeeker)
	e.mu.Unlock()
	if !isAt || !isSeeker || opts.Size < 0 {
		return e.fakeEndpoint.Put(ctx, key, r, opts)
	}
	base, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	buf := make([]byte, opts.Size)
	const chunk = 10 << 10
	var (
		wg      sync.WaitGroup
		readErr error
		errOnce sync.Once
	)
	for off := int64(0); off < opts.Size; off += chunk {
		if first && off >= opts.Size/2 {
			break
		}
		wg.Add(1)
		go func(off int64) {
			defer wg.Done()
			end := min(off+chunk, opts.Size)
			if _, err := ra.ReadAt(buf[off:end], base+off); err != nil && err != io.EOF {
				errOnce.Do(func() { readErr = err })
			}
		}(off)
	}
	wg.Wait()
	if readErr != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, readErr)
	}
	if first {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrUnavailable, scriptedErr(backend.ErrUnavailable))
	}
	if _, err := sk.Seek(base+opts.Size, io.SeekStart); err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	return e.fakeEndpoint.Put(ctx, key, bytes.NewReader(buf), opts)
}

func atCluster(t *testing.T) (*fakeCluster, *atEndpoint, *Backend) {
	c := newFakeCluster(t, "a")
	at := &atEndpoint{fakeEndpoint: c.ep("a")}
	cfg := c.config()
	cfg.Open = func(context.Context, string) (backend.Backend, error) { return at, nil }
	return c, at, newBackend(t, cfg)
}

// TestPutReaderAtRetry: a reader that can seek and read at offsets is
// passed on as one, with offsets relative to where it was when Put was
// called; an attempt that read part of it at offsets is retried with the
// same bytes, and the reader ends at the object's end.
func TestPutReaderAtRetry(t *testing.T) {
	c, at, b := atCluster(t)
	const prefix = "not-part-of-the-object"
	data := randomBytes(5, 300<<10)
	src := bytes.NewReader(append([]byte(prefix), data...))
	_, err := src.Seek(int64(len(prefix)), io.SeekStart)
	require.NoError(t, err)
	info, err := b.Put(context.Background(), "k", src, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.EqualValues(t, len(data), info.Size)
	assert.Equal(t, []bool{true, true}, at.sawAt, "ReaderAt and Seeker in both attempts")
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
	assert.Zero(t, src.Len(), "the reader is at the object's end")

	// Readers without ReadAt, or without Seek, are not offered as one.
	at.attempts, at.sawAt = 1, nil
	_, err = b.Put(context.Background(), "k2", onlyReader{bytes.NewReader(data)}, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, []bool{false}, at.sawAt)
	assertSameBytes(t, data, getAll(t, c.direct(), "k2"))
}

// TestPutReaderAtSourceErrorIsNotRetried: a failing ReadAt of the
// caller's reader is the caller's failure: no retry.
func TestPutReaderAtSourceErrorIsNotRetried(t *testing.T) {
	_, at, b := atCluster(t)
	at.attempts = 1 // no scripted failure
	boom := errors.New("boom")
	data := randomBytes(6, 100<<10)
	r := &brokenAt{bytes.NewReader(data), boom}
	_, err := b.Put(context.Background(), "k", r, backend.PutOptions{Size: int64(len(data))})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 2, at.attempts, "one attempt")
}

type brokenAt struct {
	*bytes.Reader
	err error
}

func (b *brokenAt) ReadAt([]byte, int64) (int, error) { return 0, b.err }

// TestAttemptAtSeek: Seek is relative to the start position and refuses
// to go before it; reads after the attempt is over fail.
func TestAttemptAtSeek(t *testing.T) {
	r := bytes.NewReader([]byte("0123456789"))
	_, err := r.Seek(3, io.SeekStart)
	require.NoError(t, err)
	s := newSource("k", r, false)
	require.NotNil(t, s.at)
	_, wd := newWatchdog(context.Background(), time.Minute)
	defer wd.stop()
	a := attemptAt{s.newAttempt(wd, time.Minute)}
	pos, err := a.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Zero(t, pos)
	pos, err = a.Seek(-2, io.SeekEnd)
	require.NoError(t, err)
	assert.EqualValues(t, 5, pos)
	_, err = a.Seek(-1, io.SeekStart)
	require.Error(t, err)
	pos, err = a.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.EqualValues(t, 5, pos, "a refused seek moves nothing")
	p := make([]byte, 4)
	n, err := a.ReadAt(p, 1)
	require.NoError(t, err)
	assert.Equal(t, "4567", string(p[:n]))
	a.over.Store(true)
	_, err = a.ReadAt(p, 0)
	require.ErrorIs(t, err, errAttemptOver)
}
