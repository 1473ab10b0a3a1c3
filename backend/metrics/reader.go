package metrics

import (
	"io"
	"sync"
	"sync/atomic"
)

// countReader wraps r so that the bytes read through it are counted in
// the returned counter. It keeps io.Seeker and io.ReaderAt when r has
// them: the failover layer rewinds a Seeker to retry a Put, and SDKs read
// a ReaderAt in parallel parts. A nil r stays nil, for the driver's own
// argument check.
func countReader(r io.Reader) (io.Reader, *atomic.Int64) {
	n := new(atomic.Int64)
	if r == nil {
		return nil, n
	}
	c := counting{r: r, n: n}
	s, isSeeker := r.(io.Seeker)
	ra, isReaderAt := r.(io.ReaderAt)
	switch {
	case isSeeker && isReaderAt:
		return countingSeekerAt{countingSeeker{c, s}, countingAt{ra, n}}, n
	case isSeeker:
		return countingSeeker{c, s}, n
	}
	return c, n
}

type counting struct {
	r io.Reader
	n *atomic.Int64
}

func (c counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type countingSeeker struct {
	counting
	s io.Seeker
}

func (c countingSeeker) Seek(offset int64, whence int) (int64, error) {
	return c.s.Seek(offset, whence)
}

type countingAt struct {
	ra io.ReaderAt
	n  *atomic.Int64
}

func (c countingAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.ra.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

type countingSeekerAt struct {
	countingSeeker
	countingAt
}

// getReader counts the bytes a Get delivers and adds them to the metrics
// once, at io.EOF or Close. Reads and Close may come from different
// goroutines (a Close that unblocks a Read), hence the atomics.
type getReader struct {
	rc     io.ReadCloser
	b      *Backend
	n      atomic.Int64
	once   sync.Once
	failed atomic.Bool
	closed atomic.Bool
}

func (r *getReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.n.Add(int64(n))
	switch {
	case err == io.EOF:
		r.finish()
	case err != nil && !r.closed.Load() && !r.failed.Swap(true):
		// Count the first failure of a body only (a reader that keeps
		// failing is one failed download), and not a Read after Close.
		r.b.m.ops.WithLabelValues(r.b.name, "read", Outcome(err)).Inc()
	}
	return n, err
}

func (r *getReader) Close() error {
	r.closed.Store(true)
	err := r.rc.Close()
	r.finish()
	return err
}

func (r *getReader) finish() {
	r.once.Do(func() { r.b.m.downloaded.WithLabelValues(r.b.name).Add(float64(r.n.Load())) })
}
