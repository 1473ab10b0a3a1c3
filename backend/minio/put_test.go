package minio_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// smallParts sets the smallest part size.
func smallParts(c *minio.Config) { c.PartSize = minio.MinPartSize }

const mib = 1 << 20

// failAfter delivers n bytes of r, then fails with err.
type failAfter struct {
	r   io.Reader
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	p = p[:min(len(p), f.n)]
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// cancelAfter delivers r and calls cancel once n bytes are delivered; it
// keeps delivering afterwards, so only the cancellation can stop a put.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// wantGone checks that key holds no object and that no multipart upload
// of the bucket is left behind.
func wantGone(t *testing.T, srv *testserver.MinIO, d *minio.Driver, key string) {
	t.Helper()
	_, err := d.Stat(context.Background(), key)
	assert.ErrorIs(t, err, backend.ErrNotFound, "Stat(%q)", key)
	assert.Empty(t, incompleteUploads(t, admin(t, srv), d.Bucket()), "incomplete multipart uploads")
}

func TestMultipartUnknownSize(t *testing.T) {
	srv := testserver.StartMinIO(t)
	ctx := context.Background()
	for _, conc := range []int{1, 3} {
		d := openDriver(t, srv, func(c *minio.Config) { smallParts(c); c.Concurrency = conc })
		data := payload(uint64(conc), 17*mib+3)
		info, err := d.Put(ctx, "big/unknown", opaque{bytes.NewReader(data)}, backend.PutOptions{Size: -1, ContentType: "application/x-pcap", Metadata: map[string]string{"k": "v"}})
		require.NoError(t, err)
		assert.EqualValues(t, len(data), info.Size)

		st, err := d.Stat(ctx, "big/unknown")
		require.NoError(t, err)
		assert.EqualValues(t, len(data), st.Size)
		assert.True(t, strings.HasSuffix(st.ETag, "-4"), "a multipart upload of 4 parts of 5 MiB: ETag %q", st.ETag)
		assert.Equal(t, info.ETag, st.ETag)
		assert.Equal(t, "application/x-pcap", st.ContentType)
		assert.Equal(t, map[string]string{"k": "v"}, st.Metadata)

		rc, _, err := d.Get(ctx, "big/unknown", backend.WholeObject)
		require.NoError(t, err)
		assert.Equal(t, sha256.Sum256(data), sha256.Sum256(readAll(t, rc)), "concurrency %d", conc)
		assert.Empty(t, incompleteUploads(t, admin(t, srv), d.Bucket()))
	}
}

func TestPutPaths(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	ctx := context.Background()
	cases := []struct {
		name  string
		n     int
		known bool
		parts int // 0: a single PUT
	}{
		{"known-small", 1000, true, 0},
		{"known-exactly-one-part", 5 * mib, true, 0},
		{"known-one-byte-more", 5*mib + 1, true, 2},
		{"known-three-parts", 12 * mib, true, 3},
		{"unknown-empty", 0, false, 0},
		{"unknown-small", 1000, false, 0},
		{"unknown-exactly-one-part", 5 * mib, false, 0},
		{"unknown-one-byte-more", 5*mib + 1, false, 2},
		{"unknown-exactly-two-parts", 10 * mib, false, 2},
	}
	for i, c := range cases {
		data := payload(uint64(100+i), c.n)
		size := int64(-1)
		if c.known {
			size = int64(c.n)
		}
		_, err := d.Put(ctx, c.name, opaque{bytes.NewReader(data)}, backend.PutOptions{Size: size})
		require.NoError(t, err, c.name)
		st, err := d.Stat(ctx, c.name)
		require.NoError(t, err, c.name)
		if c.parts == 0 {
			assert.NotContains(t, st.ETag, "-", "%s: a single PUT has an MD5 ETag", c.name)
		} else {
			assert.True(t, strings.HasSuffix(st.ETag, "-"+string(rune('0'+c.parts))), "%s: ETag %q, want %d parts", c.name, st.ETag, c.parts)
		}
		rc, _, err := d.Get(ctx, c.name, backend.WholeObject)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, readAll(t, rc)), c.name)
	}
}

func TestTooLarge(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	ctx := context.Background()
	defer minio.SetMaxParts(d, 3)()

	// Unknown size: 3 full parts and one byte more.
	src := &failAfter{r: bytes.NewReader(payload(1, 15*mib+1)), n: 15*mib + 1, err: io.EOF}
	_, err := d.Put(ctx, "too/large", src, backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, backend.ErrTooLarge)
	assert.Contains(t, err.Error(), "part_size", "the error says what to do")
	assert.Contains(t, err.Error(), "too/large")
	wantGone(t, srv, d, "too/large")

	// Exactly 3 parts fits.
	data := payload(2, 15*mib)
	_, err = d.Put(ctx, "too/exact", opaque{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
	require.NoError(t, err)
	st, err := d.Stat(ctx, "too/exact")
	require.NoError(t, err)
	assert.EqualValues(t, 15*mib, st.Size)

	// Known size: refused before the reader is read.
	r := &countingReader{r: bytes.NewReader(nil)}
	_, err = d.Put(ctx, "too/known", r, backend.PutOptions{Size: 15*mib + 1})
	require.ErrorIs(t, err, backend.ErrTooLarge)
	assert.Zero(t, r.reads.Load(), "the reader was read")
	wantGone(t, srv, d, "too/known")
}

type countingReader struct {
	r     io.Reader
	reads atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.r.Read(p)
}

func TestPutFailuresLeaveNothing(t *testing.T) {
	srv := testserver.StartMinIO(t)
	boom := errors.New("boom: the source failed")
	for _, conc := range []int{1, 2} {
		d := openDriver(t, srv, func(c *minio.Config) { smallParts(c); c.Concurrency = conc })
		ctx := context.Background()

		// A reader failing in the third part of an unknown-size upload.
		src := &failAfter{r: bytes.NewReader(payload(3, 20*mib)), n: 12 * mib, err: boom}
		_, err := d.Put(ctx, "fail/reader", src, backend.PutOptions{Size: -1})
		require.ErrorIs(t, err, boom)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "fail/reader", be.Key)
		wantGone(t, srv, d, "fail/reader")

		// A reader failing in a single streaming PUT of known size.
		src = &failAfter{r: bytes.NewReader(payload(4, 4*mib)), n: 2 * mib, err: boom}
		_, err = d.Put(ctx, "fail/stream", src, backend.PutOptions{Size: 4 * mib})
		require.ErrorIs(t, err, boom)
		wantGone(t, srv, d, "fail/stream")

		// A known size that the reader does not deliver, on the multipart path.
		_, err = d.Put(ctx, "fail/short", opaque{bytes.NewReader(payload(5, 11*mib))}, backend.PutOptions{Size: 12 * mib})
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		wantGone(t, srv, d, "fail/short")
		_, err = d.Put(ctx, "fail/long", opaque{bytes.NewReader(payload(5, 12*mib+1))}, backend.PutOptions{Size: 12 * mib})
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		wantGone(t, srv, d, "fail/long")

		// Cancelled in the middle of a multipart upload, over an existing
		// object: the old object stays, no upload is left.
		old := payload(6, 1000)
		_, err = d.Put(ctx, "fail/cancel", bytes.NewReader(old), backend.PutOptions{Size: int64(len(old))})
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		_, err = d.Put(cctx, "fail/cancel", &cancelAfter{r: bytes.NewReader(payload(7, 30*mib)), n: 12 * mib, cancel: cancel},
			backend.PutOptions{Size: -1})
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		rc, _, err := d.Get(ctx, "fail/cancel", backend.WholeObject)
		require.NoError(t, err)
		assert.Equal(t, old, readAll(t, rc), "the old object is untouched")
		assert.Empty(t, incompleteUploads(t, admin(t, srv), d.Bucket()), "incomplete multipart uploads")

		// Cancelled in a single streaming PUT.
		cctx, cancel = context.WithCancel(ctx)
		_, err = d.Put(cctx, "fail/cancel-stream", &cancelAfter{r: bytes.NewReader(payload(8, 4*mib)), n: mib, cancel: cancel},
			backend.PutOptions{Size: 4 * mib})
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		wantGone(t, srv, d, "fail/cancel-stream")
	}
}

// TestUnknownSizeMemory checks that an upload of unknown size holds about
// one part in memory, not the object: the heap in use must not grow by
// anything near the object's size.
func TestUnknownSizeMemory(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	const size = 96 * mib
	gen := &failAfter{r: zeroes{}, n: size, err: io.EOF}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	})
	_, err := d.Put(context.Background(), "mem/unknown", gen, backend.PutOptions{Size: -1})
	close(stop)
	wg.Wait()
	require.NoError(t, err)
	grew := int64(peak.Load()) - int64(base)
	t.Logf("heap in use grew by at most %.1f MiB for a %d MiB upload in parts of 5 MiB", float64(grew)/mib, size/mib)
	assert.Less(t, grew, int64(40*mib), "memory must be bounded by the part size, not the object size")
	st, err := d.Stat(context.Background(), "mem/unknown")
	require.NoError(t, err)
	assert.EqualValues(t, size, st.Size)
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
