package objstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// segGets is a backend that counts the reads of an inner one and lets a
// test act on the ranged ones (the segments a parallel read fetches):
// hook runs before each ranged Get with IfMatch or at an offset, and may
// block or fail it; bodies count the bytes they deliver. It has no
// Unwrap, so without WithParallelDownload the client takes it for a
// network driver.
type segGets struct {
	backend.Backend
	gets      atomic.Int64 // every Get
	pinned    atomic.Int64 // Gets with IfMatch
	fetched   atomic.Int64 // bytes delivered by bodies of Gets at an offset
	mu        sync.Mutex
	hook      func(ctx context.Context, opts backend.GetOptions) error
	noIfMatch bool // refuse IfMatch with ErrNotSupported, as gocloud's S3 buckets do
	flipAt    int64
	// firstDelay delays the first Read of each body from offset 0: a
	// slow link.
	firstDelay time.Duration
}

func newSegGets() *segGets { return &segGets{Backend: mem.New(), flipAt: -1} }

func (s *segGets) setHook(h func(ctx context.Context, opts backend.GetOptions) error) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

func (s *segGets) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	s.gets.Add(1)
	if opts.IfMatch != "" {
		s.pinned.Add(1)
		if s.noIfMatch {
			return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrNotSupported, errors.New("no IfMatch here"))
		}
	}
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook != nil && opts.Offset > 0 {
		if err := hook(ctx, opts); err != nil {
			return nil, backend.ObjectInfo{}, err
		}
	}
	rc, info, err := s.Backend.Get(ctx, key, opts)
	if err == nil && opts.Offset == 0 && s.firstDelay > 0 {
		return &slowStart{rc: rc, delay: s.firstDelay}, info, nil
	}
	if err != nil || opts.Offset == 0 {
		return rc, info, err
	}
	if opts.Offset == s.flipAt {
		data, _ := io.ReadAll(rc)
		rc.Close()
		data[0] ^= 1
		rc = io.NopCloser(bytes.NewReader(data))
	}
	return &countingBody{rc: rc, n: &s.fetched}, info, nil
}

type slowStart struct {
	rc    io.ReadCloser
	delay time.Duration
	slept bool
}

func (s *slowStart) Read(p []byte) (int, error) {
	if !s.slept {
		s.slept = true
		time.Sleep(s.delay)
	}
	return s.rc.Read(p)
}

func (s *slowStart) Close() error { return s.rc.Close() }

type countingBody struct {
	rc io.ReadCloser
	n  *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return c.rc.Close() }

const seg = 1000

// parallelClient is a client on a fresh segGets that reads in segments
// of 1,000 bytes, 3 at a time, every read longer than one segment.
func parallelClient(t *testing.T) (*objstore.Client, *segGets) {
	t.Helper()
	sg := newSegGets()
	c := objstore.New(sg, objstore.WithParallelDownload(1, seg, 3))
	t.Cleanup(func() { c.Close() })
	return c, sg
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func putData(t *testing.T, c *objstore.Client, key string, data []byte) {
	t.Helper()
	_, err := c.PutObject(t.Context(), key, bytes.NewReader(data), nil)
	require.NoError(t, err)
}

func noLeak(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt, testserver.IgnoreSpawnThread()) })
}

func TestParallelGetBytesExact(t *testing.T) {
	noLeak(t)
	ctx := t.Context()
	c, sg := parallelClient(t)
	for _, size := range []int{0, 1, seg - 1, seg, seg + 1, 2*seg - 1, 2 * seg, 2*seg + 1, 3 * seg, 3*seg + 1, 4*seg + 1, 17*seg + 123} {
		data := pattern(size)
		key := fmt.Sprintf("obj-%d", size)
		putData(t, c, key, data)
		segments := int64(max(0, (size+seg-1)/seg-1))

		sg.gets.Store(0)
		rc, err := c.GetObject(ctx, key)
		require.NoError(t, err)
		require.NoError(t, iotest.TestReader(rc, data), "size %d", size)
		require.NoError(t, rc.Close())
		assert.Equal(t, 1+segments, sg.gets.Load(), "size %d: one Get and one per later segment", size)

		// io.Copy uses WriteTo (a buffer per Write), ReadAll plain Reads.
		reads := map[string]func() ([]byte, error){
			"io.Copy": func() ([]byte, error) {
				rc, err := c.GetObject(ctx, key)
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				var buf bytes.Buffer
				_, err = io.Copy(&buf, rc)
				return buf.Bytes(), err
			},
			"one byte at a time": func() ([]byte, error) {
				rc, _, err := c.GetObjectWith(ctx, key, backend.WholeObject)
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return io.ReadAll(iotest.OneByteReader(rc))
			},
			"OpenObject": func() ([]byte, error) {
				r, err := c.OpenObject(ctx, key)
				if err != nil {
					return nil, err
				}
				defer r.Close()
				return io.ReadAll(r)
			},
			"FS": func() ([]byte, error) {
				f, err := c.FS(ctx, "").Open(key)
				if err != nil {
					return nil, err
				}
				defer f.Close()
				return io.ReadAll(f)
			},
		}
		for name, read := range reads {
			got, err := read()
			require.NoError(t, err, "%s, size %d", name, size)
			require.True(t, bytes.Equal(data, got), "%s, size %d: %d bytes", name, size, len(got))
		}
	}
	assert.Positive(t, sg.pinned.Load())
}

func TestParallelGetRanges(t *testing.T) {
	noLeak(t)
	ctx := t.Context()
	c, sg := parallelClient(t)
	data := pattern(10*seg + 7)
	putData(t, c, "obj", data)
	for _, r := range [][2]int64{{0, -1}, {1, -1}, {seg - 1, -1}, {seg, -1}, {seg + 1, 2*seg + 1}, {3, 5 * seg}, {4321, 3 * seg}, {9 * seg, -1}, {10 * seg, -1}, {0, 10*seg + 7}, {0, 10 * seg}, {5, 10}} {
		sg.gets.Store(0)
		rc, err := c.GetObjectRange(ctx, "obj", r[0], r[1])
		require.NoError(t, err)
		end := int64(len(data))
		if r[1] >= 0 {
			end = min(end, r[0]+r[1])
		}
		require.NoError(t, iotest.TestReader(rc, data[r[0]:end]), "range %v", r)
		require.NoError(t, rc.Close())
		segments := max(0, (end-r[0]+seg-1)/seg-1)
		assert.Equal(t, 1+segments, sg.gets.Load(), "range %v", r)
	}
	// ReadAt and Seek of an ObjectReader open ranges through the same path.
	r, err := c.OpenObject(ctx, "obj")
	require.NoError(t, err)
	defer r.Close()
	p := make([]byte, 2500)
	_, err = r.ReadAt(p, 1234)
	require.NoError(t, err)
	assert.Equal(t, data[1234:1234+2500], p)
	_, err = r.Seek(5555, io.SeekStart)
	require.NoError(t, err)
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, data[5555:], rest)
}

// TestParallelGetSmallAndDisabled runs on synctest's clock: its waits and speeds are exact.
func TestParallelGetSmallAndDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		noLeak(t)
		ctx := t.Context()
		big := bytes.Repeat(pattern(4093), 40<<20/4093+1)[:40<<20] // above the default threshold (16 MiB)

		// mem (also behind middleware): one Get, as before.
		m := mem.New()
		counted := newSegGets()
		counted.Backend = m
		c := objstore.New(&unwrapping{counted}) // As finds mem through it
		defer c.Close()
		putData(t, c, "big", big)
		rc, err := c.GetObject(ctx, "big")
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		require.True(t, bytes.Equal(big, got))
		assert.Equal(t, int64(1), counted.gets.Load(), "mem: no parallel reads by default")

		// A backend the client cannot see into is a network driver: the
		// defaults apply, 8 MiB segments from 16 MiB on, when the first
		// response is slow (its first MiB slower than 128 MiB/s).
		sg := newSegGets()
		sg.Backend = m
		sg.firstDelay = 50 * time.Millisecond
		net := objstore.New(sg)
		rc, err = net.GetObject(ctx, "big")
		require.NoError(t, err)
		got, err = io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		require.True(t, bytes.Equal(big, got))
		assert.Equal(t, int64(5), sg.gets.Load(), "40 MiB: the first Get and 4 segments of 8 MiB")
		assert.Equal(t, int64(4), sg.pinned.Load())

		// A fast first response is read to the end, as without splitting
		// (on synctest's clock, mem's first MiB takes no time, however loaded
		// the machine).
		sg.firstDelay = 0
		sg.gets.Store(0)
		for _, copyTo := range []bool{false, true} {
			rc, err = net.GetObject(ctx, "big")
			require.NoError(t, err)
			var buf bytes.Buffer
			if copyTo {
				_, err = io.Copy(&buf, rc)
			} else {
				_, err = io.CopyBuffer(&buf, struct{ io.Reader }{rc}, make([]byte, 2<<20))
			}
			rc.Close()
			require.NoError(t, err)
			require.True(t, bytes.Equal(big, buf.Bytes()))
		}
		assert.Equal(t, int64(2), sg.gets.Load(), "one Get per read")

		// Below the threshold: one Get.
		putData(t, net, "small", big[:16<<20-1])
		sg.gets.Store(0)
		rc, err = net.GetObject(ctx, "small")
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		require.NoError(t, err)
		assert.Equal(t, int64(1), sg.gets.Load())

		// Turned off.
		for _, opt := range []objstore.Option{objstore.WithParallelDownload(0, seg, 4), objstore.WithParallelDownload(1, seg, 1)} {
			off := newSegGets()
			off.Backend = m
			c := objstore.New(off, opt)
			rc, err := c.GetObject(ctx, "big")
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			require.NoError(t, err)
			assert.Equal(t, int64(1), off.gets.Load())
		}
	})
}

// unwrapping is a middleware that hides nothing: it unwraps to the
// backend of the segGets it counts with.
type unwrapping struct{ backend.Backend }

func (u *unwrapping) Unwrap() backend.Backend {
	if sg, ok := u.Backend.(*segGets); ok {
		return sg.Backend
	}
	return u.Backend
}

func TestParallelGetOptionKeepsTheBackend(t *testing.T) {
	m := mem.New()
	var outer backend.Backend
	c := objstore.New(m, objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
		outer = &unwrapping{b}
		return outer
	}), objstore.WithParallelDownload(1, seg, 2))
	defer c.Close()
	assert.Same(t, outer, c.Backend(), "the user's middleware stays outermost")
	_, ok := backend.As[backend.Copier](c.Backend())
	assert.True(t, ok, "capabilities are found through the option's wrapper")
	m2 := mem.New()
	assert.Equal(t, objstore.New(m2).String(), objstore.New(m2, objstore.WithParallelDownload(1, 1, 2)).String())
}

func TestParallelGetObjectChanged(t *testing.T) {
	for _, noIfMatch := range []bool{false, true} {
		for _, removed := range []bool{false, true} {
			t.Run(fmt.Sprintf("noIfMatch=%v,removed=%v", noIfMatch, removed), func(t *testing.T) {
				noLeak(t)
				ctx := t.Context()
				c, sg := parallelClient(t)
				sg.noIfMatch = noIfMatch
				old := bytes.Repeat([]byte("o"), 10*seg)
				putData(t, c, "obj", old)
				release := make(chan struct{})
				sg.setHook(func(ctx context.Context, opts backend.GetOptions) error {
					if opts.Offset >= 4*seg { // later segments wait for the overwrite
						select {
						case <-release:
						case <-ctx.Done():
							return ctx.Err()
						}
					}
					return nil
				})
				rc, err := c.GetObject(ctx, "obj")
				require.NoError(t, err)
				defer rc.Close()
				p := make([]byte, seg/8) // the workers start
				_, err = io.ReadFull(rc, p)
				require.NoError(t, err)
				require.Eventually(t, func() bool { return sg.fetched.Load() == 3*seg }, 5*time.Second, time.Millisecond,
					"segments 1 to 3 are fetched before the object changes")
				if removed {
					require.NoError(t, c.RemoveObject(ctx, "obj"))
				} else {
					putData(t, c, "obj", bytes.Repeat([]byte("N"), 10*seg))
				}
				close(release)
				rest, err := io.ReadAll(rc)
				require.ErrorIs(t, err, objstore.ErrChanged)
				if removed {
					assert.ErrorIs(t, err, objstore.ErrNotFound)
				}
				got := append(p, rest...)
				assert.Equal(t, 4*seg, len(got), "every byte before the changed segment, none after")
				assert.Equal(t, old[:len(got)], got, "no byte of the new version")
				_, err = rc.Read(p)
				assert.ErrorIs(t, err, objstore.ErrChanged, "the error stays")
			})
		}
	}
}

func TestParallelGetWorkerError(t *testing.T) {
	noLeak(t)
	ctx := t.Context()
	c, sg := parallelClient(t)
	data := pattern(10 * seg)
	putData(t, c, "obj", data)
	boom := backend.NewError("get", "obj", backend.ErrUnavailable, errors.New("injected"))
	sg.setHook(func(_ context.Context, opts backend.GetOptions) error {
		if opts.Offset == 6*seg {
			return boom
		}
		return nil
	})
	for _, read := range []func(io.Reader) ([]byte, error){
		io.ReadAll,
		func(r io.Reader) ([]byte, error) {
			var b bytes.Buffer
			_, err := io.Copy(&b, r)
			return b.Bytes(), err
		},
	} {
		rc, err := c.GetObject(ctx, "obj")
		require.NoError(t, err)
		got, err := read(rc)
		require.ErrorIs(t, err, objstore.ErrUnavailable)
		assert.Contains(t, err.Error(), fmt.Sprintf("at offset %d", 6*seg))
		assert.Equal(t, data[:6*seg], got, "the error comes at the position of the failed segment")
		require.NoError(t, rc.Close())
	}
}

func TestParallelGetCloseAndCancel(t *testing.T) {
	noLeak(t)
	c, sg := parallelClient(t)
	data := pattern(20 * seg)
	putData(t, c, "obj", data)
	blocked := make(chan struct{}, 100)
	sg.setHook(func(ctx context.Context, opts backend.GetOptions) error {
		if opts.Offset >= 2*seg { // segment 2 on never comes
			blocked <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})

	drain := func() {
		for len(blocked) > 0 {
			<-blocked
		}
	}
	t.Run("Close mid-read", func(t *testing.T) {
		drain()
		rc, err := c.GetObject(t.Context(), "obj")
		require.NoError(t, err)
		p := make([]byte, seg+10)
		_, err = io.ReadFull(rc, p)
		require.NoError(t, err)
		<-blocked
		done := make(chan error, 1)
		go func() {
			_, err := io.ReadAll(rc)
			done <- err
		}()
		time.Sleep(10 * time.Millisecond) // the Read waits for segment 2
		require.NoError(t, rc.Close())
		assert.ErrorIs(t, <-done, objstore.ErrClosed)
		_, err = rc.Read(p)
		assert.ErrorIs(t, err, objstore.ErrClosed)
		assert.NoError(t, rc.Close(), "Close is idempotent")
	})
	t.Run("Close before reading", func(t *testing.T) {
		drain()
		rc, err := c.GetObject(t.Context(), "obj")
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	})
	t.Run("context cancelled", func(t *testing.T) {
		drain()
		ctx, cancel := context.WithCancel(t.Context())
		rc, err := c.GetObject(ctx, "obj")
		require.NoError(t, err)
		defer rc.Close()
		p := make([]byte, 2*seg)
		_, err = io.ReadFull(rc, p)
		require.NoError(t, err)
		<-blocked
		time.AfterFunc(10*time.Millisecond, cancel)
		_, err = rc.Read(p)
		require.ErrorIs(t, err, context.Canceled)
		_, err = rc.Read(p)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("OpenObject Close", func(t *testing.T) {
		drain()
		r, err := c.OpenObject(t.Context(), "obj")
		require.NoError(t, err)
		p := make([]byte, 3*seg)
		go func() { <-blocked; r.Close() }()
		_, err = io.ReadFull(r, p)
		require.ErrorIs(t, err, objstore.ErrClosed)
	})
}

func TestParallelGetVerifiesTheChecksum(t *testing.T) {
	noLeak(t)
	ctx := t.Context()
	c, sg := parallelClient(t)
	data := pattern(10*seg + 5)
	putData(t, c, "obj", data)
	sg.flipAt = 7 * seg // one byte of one segment a worker fetches
	reads := map[string]func() (io.ReadCloser, error){
		"GetObject":  func() (io.ReadCloser, error) { return c.GetObject(ctx, "obj") },
		"OpenObject": func() (io.ReadCloser, error) { return c.OpenObject(ctx, "obj") },
		"FS":         func() (io.ReadCloser, error) { return c.FS(ctx, "").Open("obj") },
	}
	for name, open := range reads {
		for _, copyTo := range []bool{false, true} {
			rc, err := open()
			require.NoError(t, err, name)
			if copyTo {
				_, err = io.Copy(io.Discard, rc)
			} else {
				_, err = io.ReadAll(rc)
			}
			rc.Close()
			assert.ErrorIs(t, err, objstore.ErrCorrupt, "%s of a damaged segment", name)
		}
	}
	sg.flipAt = -1
	rc, err := c.GetObject(ctx, "obj")
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	assert.NoError(t, err)
}

// TestParallelGetMemoryBound runs on synctest's clock: its waits and speeds are exact.
func TestParallelGetMemoryBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		noLeak(t)
		ctx := t.Context()
		c, sg := parallelClient(t) // 3 segments of 1,000 bytes at once
		data := pattern(40 * seg)
		putData(t, c, "obj", data)
		rc, err := c.GetObject(ctx, "obj")
		require.NoError(t, err)
		defer rc.Close()
		var got []byte
		p := make([]byte, 300)
		ahead := int64(0)
		for {
			n, err := rc.Read(p)
			got = append(got, p[:n]...)
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			if len(got)%(7*seg) < 300 {
				time.Sleep(5 * time.Millisecond) // a slow reader: the workers fill every buffer
			}
			// Bytes fetched by the workers and not yet delivered: held in
			// at most 3 segment buffers.
			held := sg.fetched.Load() - max(0, int64(len(got))-seg)
			require.LessOrEqual(t, held, int64(3*seg), "at %d", len(got))
			ahead = max(ahead, held)
		}
		assert.Equal(t, data, got)
		assert.Equal(t, int64(3*seg), ahead, "the workers run ahead by the whole bound")
	})
}

func TestParallelGetPreconditions(t *testing.T) {
	noLeak(t)
	ctx := t.Context()
	c, sg := parallelClient(t)
	data := pattern(5 * seg)
	putData(t, c, "obj", data)
	st, err := c.StatObject(ctx, "obj")
	require.NoError(t, err)
	opts := backend.WholeObject
	opts.IfNoneMatch = "other"
	rc, info, err := c.GetObjectWith(ctx, "obj", opts)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, data, got)
	assert.Equal(t, st.ETag, info.ETag)
	assert.Equal(t, int64(4), sg.pinned.Load(), "every segment pinned with IfMatch, none with the caller's IfNoneMatch")
}

// TestParallelGetWorkersStartAfterAFirstRead runs on synctest's clock: its waits and speeds are exact.
func TestParallelGetWorkersStartAfterAFirstRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		noLeak(t)
		ctx := t.Context()
		c, sg := parallelClient(t)
		data := pattern(10 * seg)
		putData(t, c, "obj", data)

		// Opened for its attributes, or sniffed (a few bytes) and closed: no
		// segment is fetched.
		rc, _, err := c.GetObjectWith(ctx, "obj", backend.WholeObject)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		rc, err = c.GetObject(ctx, "obj")
		require.NoError(t, err)
		p := make([]byte, seg/8-1)
		_, err = io.ReadFull(rc, p)
		require.NoError(t, err)
		time.Sleep(time.Second)
		synctest.Wait() // every worker that would start has started
		require.NoError(t, rc.Close())
		assert.Equal(t, int64(2), sg.gets.Load(), "the two first Gets only")

		// An OpenObject that sniffs 512 bytes and seeks back (http.ServeContent).
		sg.gets.Store(0)
		r, err := c.OpenObject(ctx, "obj")
		require.NoError(t, err)
		defer r.Close()
		_, err = io.ReadFull(r, p)
		require.NoError(t, err)
		_, err = r.Seek(0, io.SeekStart)
		require.NoError(t, err)
		assert.Equal(t, int64(1), sg.gets.Load())
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, data, got)
	})
}
