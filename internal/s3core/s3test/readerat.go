package s3test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// PartCounter is an http.RoundTripper that counts the UploadPart
// requests (PUT with a partNumber) in flight, and their peak.
type PartCounter struct {
	Base http.RoundTripper // nil: http.DefaultTransport

	mu               sync.Mutex
	cur, peak, total int
}

func (c *PartCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	base := c.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if req.Method != http.MethodPut || !req.URL.Query().Has("partNumber") {
		return base.RoundTrip(req)
	}
	c.mu.Lock()
	c.cur++
	c.total++
	c.peak = max(c.peak, c.cur)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.cur--
		c.mu.Unlock()
	}()
	// The server answers a part once it has its whole body.
	return base.RoundTrip(req)
}

// Reset clears the counts and returns the peak and the total so far.
func (c *PartCounter) Reset() (peak, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	peak, total = c.peak, c.total
	c.peak, c.total = 0, 0
	return peak, total
}

// CheckReaderAtPuts puts objects of size bytes (several parts of
// partSize) from readers that can be read at offsets through b (New or the
// raw driver, whose requests go through parts, with concurrency parts in
// flight): the stored bytes and CRC32C are the object's (the bytes from
// the reader's position on, also for a bytes.Reader partly read and a
// section at a nonzero offset), the parts went in parallel, the reader is
// at its end afterwards, the put allocates less than one part (no part
// is buffered), and a reader whose ReadAt fails midway fails the put and
// leaves no object.
func CheckReaderAtPuts(t *testing.T, b backend.Backend, parts *PartCounter, size, partSize, concurrency int) {
	ctx := t.Context()
	c := objstore.New(b)
	const skip = 3<<20 + 7 // the bytes before the object
	data := Payload(21, skip+size)
	want := data[skip:]
	path := filepath.Join(t.TempDir(), "object")
	require.NoError(t, os.WriteFile(path, data, 0o600))

	check := func(name, key string, r io.ReadSeeker, end int64) {
		t.Helper()
		parts.Reset()
		n, err := c.PutObject(ctx, key, r, nil)
		require.NoError(t, err, name)
		assert.EqualValues(t, size, n, name)
		peak, total := parts.Reset()
		assert.Equal(t, (size+partSize-1)/partSize, total, "%s: UploadPart requests", name)
		assert.Greater(t, peak, 1, "%s: parts in parallel", name)
		assert.LessOrEqual(t, peak, concurrency, "%s: at most Concurrency parts in flight", name)
		pos, err := r.Seek(0, io.SeekCurrent)
		require.NoError(t, err)
		assert.Equal(t, end, pos, "%s: the reader is at the object's end", name)
		st, err := b.Stat(ctx, key)
		require.NoError(t, err, name)
		assert.EqualValues(t, size, st.Size, name)
		assert.Equal(t, backend.ChecksumOf(backend.CRC32C, want), st.Checksum, "%s: the stored CRC32C", name)
		rc, err := c.GetObject(ctx, key)
		require.NoError(t, err, name)
		got, err := io.ReadAll(rc)
		require.NoError(t, rc.Close())
		require.NoError(t, err, "%s: a verified read", name)
		assert.True(t, bytes.Equal(want, got), "%s: the bytes", name)
	}

	br := bytes.NewReader(data)
	_, err := br.Seek(skip, io.SeekStart) // ReadAt is absolute: the object starts at the position
	require.NoError(t, err)
	check("bytes.Reader at an offset", "readerat/bytes", br, int64(len(data)))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(skip, io.SeekStart)
	require.NoError(t, err)
	check("os.File at an offset", "readerat/file", f, int64(len(data)))

	// A section that starts at 1 MiB of the file, read up to skip-1 MiB:
	// the object is the rest of the section.
	sr := io.NewSectionReader(f, 1<<20, int64(len(data))-1<<20)
	_, err = sr.Seek(skip-1<<20, io.SeekStart)
	require.NoError(t, err)
	check("io.SectionReader at a nonzero offset", "readerat/section", sr, sr.Size())

	// Memory: the put allocates far less than the object (no part buffers).
	br.Reset(want)
	runtime.GC() // twice: a sync.Pool's buffers (the engine's part pool) survive one collection
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = c.PutObject(ctx, "readerat/memory", br, nil)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a put of %d MiB allocated %.1f MiB", size>>20, float64(alloc)/(1<<20))
	assert.Less(t, alloc, uint64(partSize), "bytes allocated by a put of %d bytes: less than one part, so no part was buffered", size)

	// A reader that fails midway: an error, and no object.
	boom := errors.New("disk on fire")
	fr := &failingAt{Reader: bytes.NewReader(want), at: int64(size / 2), err: boom}
	_, err = c.PutObjectWith(ctx, "readerat/failing", fr, backend.PutOptions{Size: int64(size)})
	require.ErrorIs(t, err, boom)
	_, err = b.Stat(ctx, "readerat/failing")
	require.ErrorIs(t, err, backend.ErrNotFound, "no object after a failed ReadAt")

	// A reader shorter than its declared size: ErrInvalidArgument, no object.
	_, err = c.PutObjectWith(ctx, "readerat/short", bytes.NewReader(want[:size-1]), backend.PutOptions{Size: int64(size)})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Stat(ctx, "readerat/short")
	require.ErrorIs(t, err, backend.ErrNotFound, "no object from a short reader")

	// An object of one request (1 MiB) from a bytes.Reader at an offset is
	// one PUT sent from the reader: no part, no buffer of its size.
	const one = 1 << 20
	small := bytes.NewReader(data[:skip+one])
	_, err = small.Seek(skip, io.SeekStart)
	require.NoError(t, err)
	parts.Reset()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.PutObject(ctx, "readerat/one-request", small, nil)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	_, total := parts.Reset()
	assert.Zero(t, total, "one request, no parts")
	alloc = after.TotalAlloc - before.TotalAlloc
	t.Logf("a put of 1 MiB from a bytes.Reader allocated %.1f KiB", float64(alloc)/(1<<10))
	assert.Less(t, alloc, uint64(one), "bytes allocated by a put of 1 MiB from a bytes.Reader: less than the object, so it was not copied")
	assert.Zero(t, small.Len(), "the reader is at the object's end")
	st, err := b.Stat(ctx, "readerat/one-request")
	require.NoError(t, err)
	assert.Equal(t, backend.ChecksumOf(backend.CRC32C, want[:one]), st.Checksum, "the stored CRC32C")
	rc, err := c.GetObject(ctx, "readerat/one-request")
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err, "a verified read")
	assert.True(t, bytes.Equal(want[:one], got), "the bytes")
	for _, tc := range []struct {
		name string
		size int
	}{{"short", one + 1}, {"long", one - 1}} {
		_, err = c.PutObjectWith(ctx, "readerat/one-"+tc.name, bytes.NewReader(want[:one]), backend.PutOptions{Size: int64(tc.size)})
		require.ErrorIs(t, err, backend.ErrInvalidArgument, tc.name)
		_, err = b.Stat(ctx, "readerat/one-"+tc.name)
		require.ErrorIs(t, err, backend.ErrNotFound, "no object from a %s reader", tc.name)
	}

	// A reader whose bytes change between the pass that hashes them and
	// the send (a file rewritten during the put), in a one-request put and
	// in a part: the server refuses the body that does not match its
	// signed hash and checksum. The put fails and stores nothing, or a
	// retry hashes again and stores the new bytes; never an object whose
	// bytes are not the ones its checksum was computed from.
	for _, tc := range []struct {
		name string
		size int
	}{{"one-request", one}, {"multipart", size}} {
		key := "readerat/changing-" + tc.name
		cr := &changingAt{buf: bytes.Clone(want[:tc.size]), at: int64(tc.size) / 3}
		_, err := c.PutObjectWith(ctx, key, io.NewSectionReader(cr, 0, int64(tc.size)), backend.PutOptions{Size: int64(tc.size)})
		require.True(t, cr.changed(), "%s: the bytes changed after the first read", tc.name)
		if err != nil {
			t.Logf("%s: bytes changed during the put: %v", tc.name, err)
			assert.Contains(t, err.Error(), "changed in the reader", "%s: the error says what happened", tc.name)
			_, serr := b.Stat(ctx, key)
			require.ErrorIs(t, serr, backend.ErrNotFound, "%s: no object after a refused body", tc.name)
			continue
		}
		t.Logf("%s: bytes changed during the put; a retry stored the new ones", tc.name)
		now := cr.bytes()
		st, err := b.Stat(ctx, key)
		require.NoError(t, err, tc.name)
		assert.Equal(t, backend.ChecksumOf(backend.CRC32C, now), st.Checksum, "%s: the stored CRC32C is the new bytes'", tc.name)
		rc, err := c.GetObject(ctx, key)
		require.NoError(t, err, tc.name)
		got, err := io.ReadAll(rc)
		require.NoError(t, rc.Close())
		require.NoError(t, err, "%s: a verified read", tc.name)
		assert.True(t, bytes.Equal(now, got), "%s: the new bytes", tc.name)
	}
}

// changingAt is an io.ReaderAt over buf whose byte at changes (is
// inverted) when a read covers it for the second time: the first pass
// over the bytes sees the old value, every later one the new.
type changingAt struct {
	mu    sync.Mutex
	buf   []byte
	at    int64
	reads int
}

func (c *changingAt) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off >= int64(len(c.buf)) {
		return 0, io.EOF
	}
	if off <= c.at && c.at < off+int64(len(p)) {
		c.reads++
		if c.reads == 2 {
			c.buf[c.at] = ^c.buf[c.at]
		}
	}
	n := copy(p, c.buf[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (c *changingAt) changed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads >= 2
}

func (c *changingAt) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf)
}

// failingAt is a bytes.Reader whose ReadAt fails at the byte at.
type failingAt struct {
	*bytes.Reader
	at  int64
	err error
}

func (f *failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.at && f.at < off+int64(len(p)) {
		return 0, f.err
	}
	return f.Reader.ReadAt(p, off)
}
