package tracing

import (
	"io"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// getReader ends the span of a Get when it is closed, with the number of
// bytes it delivered. The first read error other than io.EOF is recorded
// on the span. Reads and Close may come from different goroutines.
type getReader struct {
	rc     io.ReadCloser
	span   trace.Span
	n      atomic.Int64
	mu     sync.Mutex // guards err and ended
	err    error
	ended  bool
	closed atomic.Bool
}

func (r *getReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.n.Add(int64(n))
	if err != nil && err != io.EOF && !r.closed.Load() {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
	return n, err
}

// Close closes the inner reader and ends the span (once).
func (r *getReader) Close() error {
	r.closed.Store(true)
	err := r.rc.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ended {
		r.ended = true
		end(r.span, r.err, AttrBytesRead.Int64(r.n.Load()))
	}
	return err
}
