package s3core

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// source is the caller's reader as a put reads it. It stops with ctx's
// error once ctx ends; it delivers no bytes together with an error (so an
// HTTP transport never sends the bytes of a failing read, which could
// complete a request that should fail); it remembers the first error, so
// that a failed upload is blamed on the reader when the reader failed;
// and after finish it refuses to read, so a transport that still reads a
// request body after its round trip returned (net/http may) cannot touch
// the caller's reader once Put has returned. It cuts the bytes into
// parts, peeking one byte past every full part to know whether another
// follows (an object of exactly PartSize bytes is one PUT, and an upload
// never ends with an empty part).
type source struct {
	ctx  context.Context
	r    io.Reader
	done atomic.Bool
	mu   sync.Mutex
	err  error

	peeked  byte
	hasPeek bool
}

// errFinished: the put has returned, and the reader is not the transport's
// any more.
var errFinished = errors.New("put has returned")

func (s *source) Read(p []byte) (int, error) {
	if s.done.Load() {
		return 0, errFinished
	}
	if err := s.ctx.Err(); err != nil {
		return 0, s.fail(err)
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		return 0, s.fail(err)
	}
	return n, err
}

func (s *source) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return err
}

func (s *source) finish() { s.done.Store(true) }

// blame returns the error of a put that read from s: when the reader (or
// the context) failed, that failure is the cause, whatever the transport
// made of it.
func (s *source) blame(key string, err error) error {
	s.mu.Lock()
	serr := s.err
	s.mu.Unlock()
	if serr != nil && !errors.Is(err, serr) {
		return readErr(key, serr)
	}
	return err
}

// fill reads into buf until buf is full or the source ends, and reports
// whether the source has more bytes.
func (s *source) fill(buf []byte) (n int, more bool, err error) {
	if s.hasPeek && len(buf) > 0 {
		buf[0] = s.peeked
		s.hasPeek = false
		n = 1
	}
	m, err := io.ReadFull(s, buf[n:])
	n += m
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return n, false, nil
	case err != nil:
		return n, false, err
	}
	more, err = s.peek()
	return n, more, err
}

// growLimit is the largest buffer fillGrowing grows by doubling; past it
// the bytes move into a part buffer.
const growLimit = 1 << 20

// fillGrowing reads up to one part into a buffer that starts small and
// doubles, so that a small object of unknown size costs about its own
// size, not a whole part. Once the object outgrows growLimit the bytes
// move into a part buffer, which the rest of the upload needs anyway:
// doubling all the way would leave a part's worth of garbage, which the
// garbage collector lets add to the upload's peak memory. The returned
// buffer goes back with release (which keeps only part buffers).
func (s *source) fillGrowing(e *Engine) (buf []byte, more bool, err error) {
	const initial = 64 << 10
	buf = make([]byte, 0, min(int64(initial), e.PartSize))
	if s.hasPeek {
		buf = append(buf, s.peeked)
		s.hasPeek = false
	}
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) >= e.PartSize {
				more, err = s.peek()
				return buf, more, err
			}
			var grown []byte
			if next := 2 * int64(cap(buf)); next <= growLimit && next < e.PartSize {
				grown = make([]byte, len(buf), next)
			} else {
				grown = e.buffer()[:len(buf)]
			}
			copy(grown, buf)
			buf = grown
		}
		m, err := s.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}

// peek reads one byte ahead; it reports whether the source had one.
func (s *source) peek() (bool, error) {
	if s.hasPeek {
		return true, nil
	}
	var one [1]byte
	for {
		m, err := s.Read(one[:])
		if m > 0 {
			s.peeked, s.hasPeek = one[0], true
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// Body is the body of a part or of a buffered PUT: a reader of data that
// is disabled once the request returned (Disable), so that the buffer can be
// reused even if the transport were still reading the old body.
type Body struct {
	mu  sync.Mutex
	r   *bytes.Reader
	off bool
}

// NewBody returns a Body over data.
func NewBody(data []byte) *Body { return &Body{r: bytes.NewReader(data)} }

func (b *Body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.off {
		return 0, errFinished
	}
	return b.r.Read(p)
}

// Seek lets an SDK rewind the body before it sends it.
func (b *Body) Seek(off int64, whence int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.off {
		return 0, errFinished
	}
	return b.r.Seek(off, whence)
}

// Len is the number of unread bytes (SDKs take a body's length from it).
func (b *Body) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.r.Len()
}

// Disable ends the body's reads; the buffer is then the engine's again.
// (Not Close: a transport closes a body it has sent.)
func (b *Body) Disable() {
	b.mu.Lock()
	b.off = true
	b.mu.Unlock()
}

// ensure Body is what the SDKs rewind and measure.
var _ interface {
	io.ReadSeeker
	Len() int
} = (*Body)(nil)
