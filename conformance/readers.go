package conformance

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// payload returns n deterministic pseudo-random bytes for seed, so that
// each version a check writes is distinct and a mix of two is detectable.
func payload(seed uint64, n int) []byte {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	data := make([]byte, n)
	_, _ = rand.NewChaCha8(s).Read(data) // never fails
	return data
}

// opaqueReader hides everything but Read (Seek, ReadAt, WriteTo, Len), so
// a driver can neither learn the size of the source nor rewind it.
type opaqueReader struct{ r io.Reader }

func (o opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// chunkReader delivers data in small reads from behind a mutex: HTTP
// transports may go on reading a request body from their own goroutine
// after the call that owns it has returned.
type chunkReader struct {
	mu     sync.Mutex
	data   []byte
	served int
	// at is called once, with the lock held, when served reaches after.
	after int
	at    func()
	// fail is returned once data is exhausted, instead of io.EOF.
	fail error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) == 0 {
		if c.fail != nil {
			return 0, c.fail
		}
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 16<<10)
	if c.at != nil && c.served < c.after {
		n = min(n, c.after-c.served)
	}
	copy(p, c.data[:n])
	c.data = c.data[n:]
	c.served += n
	if c.at != nil && c.served >= c.after {
		c.at()
		c.at = nil
	}
	return n, nil
}

// failingReader delivers data[:after] and then fails with err.
func failingReader(data []byte, after int, err error) io.Reader {
	return &chunkReader{data: data[:after], fail: err}
}

// cancellingReader delivers all of data but cancels the context once
// after bytes have been read, as a caller giving up midway does. A driver
// that ignores the context completes the put, which the check catches.
func cancellingReader(data []byte, after int, cancel context.CancelFunc) io.Reader {
	return &chunkReader{data: data, after: after, at: cancel}
}

// faultError is the error a failingReader injects; each check makes its
// own so errors.Is proves the driver wrapped this very value.
type faultError struct{ what string }

func (f *faultError) Error() string { return "conformance: injected reader failure: " + f.what }

func newFault(format string, args ...any) error { return &faultError{fmt.Sprintf(format, args...)} }

// countingReader records whether anyone read it: the checks of invalid
// arguments prove that they are rejected before any I/O.
type countingReader struct {
	reads atomic.Int64
	r     io.Reader
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.r.Read(p)
}

// newChaCha returns an endless deterministic byte stream.
func newChaCha(seed [32]byte) io.Reader { return rand.NewChaCha8(seed) }
