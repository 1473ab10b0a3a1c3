package s3

import (
	"io"
	"sync"
)

// bufferPool recycles part buffers of exactly partSize bytes between
// uploads, so that a steady stream of multipart uploads does not make the
// garbage collector chase 8 MiB allocations. How many buffers one upload
// holds at a time is bounded by the upload itself (Concurrency).
type bufferPool struct {
	size int64
	pool sync.Pool
}

func newBufferPool(size int64) *bufferPool {
	return &bufferPool{size: size}
}

func (p *bufferPool) get() []byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, p.size)
}

// put returns a buffer to the pool; buffers of another capacity (the
// first part of a small upload) are left to the garbage collector.
func (p *bufferPool) put(b []byte) {
	if int64(cap(b)) != p.size {
		return
	}
	b = b[:cap(b)]
	p.pool.Put(&b)
}

// partReader cuts the source of an upload into parts. It peeks one byte
// past every full part, so that it knows whether another part follows
// (an object of exactly PartSize bytes is one PutObject, and a multipart
// upload never ends with an empty part).
type partReader struct {
	r       io.Reader
	peeked  byte
	hasPeek bool
}

// fill reads into buf until buf is full or the source ends, and reports
// whether the source has more bytes. A source error is returned as it is.
func (p *partReader) fill(buf []byte) (n int, more bool, err error) {
	if p.hasPeek && len(buf) > 0 {
		buf[0] = p.peeked
		p.hasPeek = false
		n = 1
	}
	for n < len(buf) {
		m, err := p.r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	more, err = p.peek()
	return n, more, err
}

// growLimit is the largest buffer fillGrowing grows by doubling; past it
// the bytes move into a part buffer of the pool.
const growLimit = 1 << 20

// fillGrowing reads up to one part (parts.size bytes) into a buffer that
// starts small and doubles, so that a small object of unknown size costs
// about its own size, not a whole part. Once the object outgrows
// growLimit, the bytes move into a part buffer from parts, which the rest
// of the upload needs anyway: doubling all the way to a part would leave
// a part's worth of garbage behind, and the garbage collector lets the
// heap grow by as much as the live part buffers before it collects, so
// that garbage would add to the upload's peak memory. The returned buffer
// goes back to parts (bufferPool.put keeps only whole part buffers).
func (p *partReader) fillGrowing(parts *bufferPool) (buf []byte, more bool, err error) {
	const initial = 64 << 10
	limit := parts.size
	size := min(int64(initial), limit)
	buf = make([]byte, 0, size)
	if p.hasPeek {
		buf = append(buf, p.peeked)
		p.hasPeek = false
	}
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) >= limit {
				more, err = p.peek()
				return buf, more, err
			}
			var grown []byte
			if next := 2 * int64(cap(buf)); next <= growLimit && next < limit {
				grown = make([]byte, len(buf), next)
			} else {
				grown = parts.get()[:len(buf)]
			}
			copy(grown, buf)
			buf = grown
		}
		m, err := p.r.Read(buf[len(buf):cap(buf)])
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
func (p *partReader) peek() (bool, error) {
	if p.hasPeek {
		return true, nil
	}
	var one [1]byte
	for {
		m, err := p.r.Read(one[:])
		if m > 0 {
			p.peeked, p.hasPeek = one[0], true
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
