package failover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/objstore-dev/objstore/backend"
)

// Get opens key for reading, with the retry rules until the answer
// (each attempt bounded by AttemptTimeout). The returned reader resumes a
// download whose body breaks (an ErrUnavailable- or ErrServerBusy-class
// read error, a body that ends short, or no bytes for StallTimeout) with a
// ranged Get of the bytes still owed, from any endpoint, checking that the
// object's ETag and size are unchanged (ErrObjectChanged if not). It gives
// up after MaxAttempts resumes in a row that deliver nothing; it never
// ends with a clean io.EOF before the range is complete. The reader holds
// the caller's ctx: cancelling it ends the download.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.checkOpen("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rctx, cancel := context.WithCancel(ctx)
	res, err := b.openRange(rctx, key, opts)
	if err != nil {
		cancel()
		return nil, backend.ObjectInfo{}, err
	}
	_, length, err := backend.ResolveRange(key, res.info.Size, opts)
	if err != nil {
		res.close()
		cancel()
		return nil, backend.ObjectInfo{}, err
	}
	r := &getReader{
		b: b, ctx: rctx, cancel: cancel, key: key,
		etag: res.info.ETag, size: res.info.Size,
		off: opts.Offset, left: length, cur: res,
	}
	return r, res.info, nil
}

// getResult is one open body, with the endpoint reference and watchdog
// that go with it.
type getResult struct {
	body io.ReadCloser
	info backend.ObjectInfo
	e    *endpoint
	wd   *watchdog
}

func (g *getResult) close() error {
	g.wd.stop()
	err := g.body.Close()
	g.e.release()
	return err
}

// openRange runs the retry loop for the answer of a Get.
func (b *Backend) openRange(ctx context.Context, key string, opts backend.GetOptions) (*getResult, error) {
	return run(ctx, b, "get", key, nil, func(ctx context.Context, e *endpoint, be backend.Backend) (*getResult, error) {
		wctx, wd := newWatchdog(ctx, b.cfg.AttemptTimeout)
		body, info, err := be.Get(wctx, key, opts)
		if err != nil {
			if wd.stop() && ctx.Err() == nil {
				err = timeoutError("get", key, e, "AttemptTimeout", b.cfg.AttemptTimeout, err)
			}
			return nil, err
		}
		if body == nil {
			wd.stop()
			return nil, backend.NewError("get", key, backend.ErrInvalidArgument, errors.New("failover: the endpoint backend returned a nil body"))
		}
		// The body outlives the attempt: it keeps its own reference on
		// the endpoint, and its watchdog now watches for stalls, but only
		// while a Read waits for the body: a caller that takes its time
		// between Reads is not a stalled server.
		if _, err := e.ref(); err != nil {
			wd.stop()
			body.Close()
			return nil, err
		}
		wd.setWindow(b.cfg.StallTimeout)
		wd.pause()
		return &getResult{body: body, info: info, e: e, wd: wd}, nil
	})
}

// getReader is the reader Get returns. Read is not safe for concurrent
// use (as for any reader), but Close may be called while a Read runs, to
// abort it.
type getReader struct {
	b      *Backend
	ctx    context.Context // the caller's, cancelled by Close
	cancel context.CancelFunc
	key    string
	etag   string // of the version being read
	size   int64

	off, left  int64 // next byte to deliver, bytes still owed
	noProgress int   // resumes in a row that delivered nothing
	resumes    int
	err        error // sticky: once the reader failed it stays failed

	mu     sync.Mutex
	cur    *getResult // nil between a break and the resume
	closed bool
}

func (r *getReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	cur, closed := r.cur, r.closed
	r.mu.Unlock()
	switch {
	case closed:
		return 0, backend.NewError("get", r.key, backend.ErrClosed, errors.New("read after Close"))
	case r.err != nil:
		return 0, r.err
	case r.left == 0:
		return 0, io.EOF
	case len(p) == 0:
		return 0, nil
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for {
		if cur == nil {
			var err error
			if cur, err = r.resume(); err != nil {
				r.err = err
				return 0, err
			}
		}
		cur.wd.resume()
		n, err := cur.body.Read(p)
		cur.wd.pause()
		if n > 0 {
			r.off += int64(n)
			r.left -= int64(n)
			r.noProgress = 0
		}
		switch {
		case r.left == 0:
			// Everything owed has arrived; a break after the last byte
			// does not matter.
			return n, nil
		case err == nil:
			return n, nil
		case err == io.EOF:
			err = backend.NewError("get", r.key, backend.ErrUnavailable,
				fmt.Errorf("the body from %s ended %d bytes short: %w", cur.e.name, r.left, io.ErrUnexpectedEOF))
		}
		err = r.breakError(cur, err)
		if !r.resumable(err) {
			r.drop(cur, nil)
			r.err = err
			return n, err
		}
		r.drop(cur, err)
		cur = nil
		if n > 0 {
			return n, nil // resume on the next Read
		}
	}
}

// breakError gives the error of a broken body the operation and key, and
// names a stall for what it is.
func (r *getReader) breakError(cur *getResult, err error) error {
	if cur.wd.hasFired() && r.ctx.Err() == nil {
		return timeoutError("get", r.key, cur.e, "StallTimeout, no bytes", r.b.cfg.StallTimeout, err)
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	return backend.NewError("get", r.key, backend.NetworkKind(err), err)
}

func (r *getReader) resumable(err error) bool {
	return r.ctx.Err() == nil && classify(err) != classPermanent &&
		r.etag != "" && r.noProgress < r.b.cfg.MaxAttempts
}

// drop closes a body that is done with. With a non-nil err (the body
// broke and will be resumed), the break is reported as a retry to the
// hooks of Get's context and an ErrUnavailable endpoint is marked down.
func (r *getReader) drop(cur *getResult, err error) {
	r.mu.Lock()
	mine := r.cur == cur
	if mine {
		r.cur = nil
	}
	r.mu.Unlock()
	if !mine {
		return // Close got there first
	}
	cur.close()
	if err == nil {
		return
	}
	if classify(err) == classUnavailable {
		r.b.markDown(r.ctx, "get", r.key, cur.e, err)
	}
	r.resumes++
	backend.ReportAttempt(r.ctx, backend.AttemptEvent{Kind: backend.AttemptRetry, Op: "get", Key: r.key,
		Endpoint: cur.e.name, Attempt: r.resumes, Err: err})
}

// resume opens the rest of the range, from any endpoint, and checks that
// it is the same version of the object.
func (r *getReader) resume() (*getResult, error) {
	r.noProgress++
	res, err := r.b.openRange(r.ctx, r.key, backend.GetOptions{Offset: r.off, Length: r.left})
	if err != nil {
		return nil, err
	}
	if res.info.ETag != r.etag || res.info.Size != r.size {
		res.close()
		return nil, backend.NewError("get", r.key, backend.ErrUnavailable,
			fmt.Errorf("%w: resuming at byte %d, ETag %q and size %d became %q and %d; read it again",
				ErrObjectChanged, r.off, r.etag, r.size, res.info.ETag, res.info.Size))
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		res.close()
		return nil, backend.NewError("get", r.key, backend.ErrClosed, errors.New("read after Close"))
	}
	r.cur = res
	r.mu.Unlock()
	return res, nil
}

// Close ends the download and releases its connection. It may be called
// while a Read runs, and more than once.
func (r *getReader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	cur := r.cur
	r.cur = nil
	r.mu.Unlock()
	var err error
	if cur != nil {
		err = cur.close()
	}
	r.cancel() // after closing the body, whose Close then sees no cancelled request
	if err != nil {
		return backend.NewError("get", r.key, nil, err)
	}
	return nil
}
