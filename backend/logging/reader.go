package logging

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"time"
)

// getReader logs the first failure of a Get body (op "read") with the
// number of bytes delivered before it. Reads and Close may come from
// different goroutines.
type getReader struct {
	rc     io.ReadCloser
	b      *Backend
	ctx    context.Context
	key    string
	start  time.Time
	n      atomic.Int64
	failed atomic.Bool
	closed atomic.Bool
}

func (r *getReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.n.Add(int64(n))
	if err != nil && err != io.EOF && !r.closed.Load() && !r.failed.Swap(true) {
		r.b.log(r.ctx, "read", r.key, r.start, err, slog.Int64("bytes_read", r.n.Load()))
	}
	return n, err
}

func (r *getReader) Close() error {
	r.closed.Store(true)
	return r.rc.Close()
}
