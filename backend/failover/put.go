package failover

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Put stores r under key. A retried attempt sends the object again from
// byte 0: a reader that implements io.Seeker is sought back to where it
// was when Put was called; a reader that cannot seek is retried only if the
// failed attempt did not read from it at all, else Put fails with
// ErrNotRewindable (never a short object). Nothing is buffered in memory.
// A reader that can seek and also implements io.ReaderAt reaches the
// driver as both, with offsets relative to its position when Put was
// called, so that a driver can read its parts at offsets, in parallel
// (s3core does); reads at offsets need no rewind, and the retry seeks back
// all the same.
//
// With opts.IfNotExist and a seekable reader, the MD5 of the bytes sent is
// computed on the way; when an attempt whose outcome is unknown (it failed
// after the whole body was sent) is followed by one that gets ErrExist, the
// object is Stat-ed and, if its ETag is that MD5 and its size matches, the
// Put reports success: the object is our own earlier write. Single-part
// uploads on MinIO and S3 have MD5 ETags; a multipart ETag never matches,
// so such a retry reports ErrExist. A compare-and-swap (opts.IfMatch) is
// handled the same way: a retry that gets ErrPreconditionFailed after an
// attempt of unknown outcome reports success when the object is that
// attempt's bytes (our own write changed the ETag), else the failure.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if _, err := backend.CheckPut(key, r, opts); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.checkOpen("put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	src := newSource(key, r, opts.IfNotExist || opts.IfMatch != "")
	return run(ctx, b, "put", key, src.rewind, func(ctx context.Context, e *endpoint, be backend.Backend) (backend.ObjectInfo, error) {
		return b.putAttempt(ctx, e, be, src, key, opts)
	})
}

func (b *Backend) putAttempt(ctx context.Context, e *endpoint, be backend.Backend, src *source, key string, opts backend.PutOptions) (backend.ObjectInfo, error) {
	var zero backend.ObjectInfo
	wctx, wd := newWatchdog(ctx, b.cfg.AttemptTimeout)
	a := src.newAttempt(wd, b.cfg.StallTimeout)
	var body io.Reader = a
	if src.at != nil {
		body = attemptAt{a}
	}
	info, err := be.Put(wctx, key, body, opts)
	window, started := wd.currentWindow(), a.started.Load()
	fired := wd.stop()
	a.over.Store(true)
	if err == nil {
		return info, nil
	}
	if a.sourceErr() != nil {
		// The caller's reader failed: retrying cannot help.
		return zero, &stopError{err}
	}
	if fired && ctx.Err() == nil {
		which := "AttemptTimeout, waiting for the driver to read the body"
		if started {
			which = "StallTimeout, no progress"
		}
		err = timeoutError("put", key, e, which, window, err)
	}
	if a.eof.Load() && !a.random.Load() && src.wantMD5 && classify(err) != classPermanent {
		// The whole body went out and the answer is unknown: the object
		// may be stored.
		src.setCandidate(a.n.Load(), a.hash.Sum(nil))
	}
	if opts.IfNotExist && errors.Is(err, backend.ErrExist) ||
		opts.IfMatch != "" && errors.Is(err, backend.ErrPreconditionFailed) {
		if size, sum, ok := src.getCandidate(); ok {
			return b.ownWrite(ctx, e, be, key, size, sum, err)
		}
	}
	return zero, err
}

// ownWrite decides whether the object that made a retried create-only Put
// fail with exist (the error) is the Put's own earlier write, whose size and
// MD5 are given.
func (b *Backend) ownWrite(ctx context.Context, e *endpoint, be backend.Backend, key string, size int64, sum []byte, exist error) (backend.ObjectInfo, error) {
	sctx, cancel := context.WithTimeoutCause(ctx, b.cfg.AttemptTimeout, errAttemptTimeout)
	defer cancel()
	info, err := be.Stat(sctx, key)
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(context.Cause(sctx), errAttemptTimeout):
		return backend.ObjectInfo{}, timeoutError("stat", key, e, "AttemptTimeout", b.cfg.AttemptTimeout, err)
	case err != nil && classify(err) != classPermanent:
		return backend.ObjectInfo{}, err // the Put is retried and checks again
	case err != nil:
		return backend.ObjectInfo{}, exist // e.g. removed since: report what the server said
	case info.Size == size && etagIs(info.ETag, sum):
		return info, nil
	}
	return backend.ObjectInfo{}, exist
}

// etagIs reports whether an ETag (quoted or not) is the hex MD5 sum.
func etagIs(etag string, sum []byte) bool {
	return len(sum) > 0 && strings.EqualFold(strings.Trim(etag, `"`), hex.EncodeToString(sum))
}

// source is the caller's reader across the attempts of one Put.
type source struct {
	key     string
	r       io.Reader
	seeker  io.Seeker   // nil when r cannot seek
	at      io.ReaderAt // r, when it can seek and read at offsets
	start   int64       // r's position when Put was called
	wantMD5 bool

	// sem is held during every Read of r, so that a Read still running for
	// an abandoned attempt (HTTP transports may read a request body after
	// the request failed) never overlaps the rewind or the next attempt.
	sem chan struct{}

	mu        sync.Mutex
	cur       *attemptReader
	candSize  int64
	candSum   []byte
	candidate bool
}

// newSource: conditional tells whether the put is conditional (create-only
// or compare-and-swap), and so needs the MD5 of what it sent.
func newSource(key string, r io.Reader, conditional bool) *source {
	s := &source{key: key, r: r, sem: make(chan struct{}, 1)}
	if sk, ok := r.(io.Seeker); ok {
		if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
			s.seeker, s.start = sk, pos
			s.at, _ = r.(io.ReaderAt)
		}
	}
	s.wantMD5 = conditional && s.seeker != nil
	return s
}

func (s *source) newAttempt(wd *watchdog, stall time.Duration) *attemptReader {
	a := &attemptReader{src: s, wd: wd, stall: stall}
	if s.wantMD5 {
		a.hash = md5.New()
	}
	s.mu.Lock()
	s.cur = a
	s.mu.Unlock()
	return a
}

func (s *source) setCandidate(size int64, sum []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.candSize, s.candSum, s.candidate = size, sum, true
}

func (s *source) getCandidate() (int64, []byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.candSize, s.candSum, s.candidate
}

// rewind prepares r for the next attempt (the retry hook of Put). It waits
// for a Read of an abandoned attempt to return, then seeks back to the
// start; a reader that cannot seek is fine only if the failed attempt
// never read from it.
func (s *source) rewind(ctx context.Context, attempt int, lastErr error) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctxError("put", s.key, ctx.Err(), lastErr)
	}
	defer func() { <-s.sem }()
	s.mu.Lock()
	a := s.cur
	s.cur = nil
	s.mu.Unlock()
	if s.seeker != nil {
		if _, err := s.seeker.Seek(s.start, io.SeekStart); err != nil {
			return backend.NewError("put", s.key, kindOf(lastErr),
				wrapf([]error{ErrNotRewindable, err, lastErr}, "attempt %d failed (%s), and %v: seeking back to offset %d failed: %v",
					attempt-1, causeText(lastErr), ErrNotRewindable, s.start, err))
		}
		return nil
	}
	if a == nil || !a.touched() {
		return nil // nothing was read: r is where it was
	}
	return backend.NewError("put", s.key, kindOf(lastErr),
		wrapf([]error{ErrNotRewindable, lastErr}, "attempt %d failed after the reader had delivered %d bytes (%s), and %v",
			attempt-1, a.n.Load(), causeText(lastErr), ErrNotRewindable))
}

// attemptReader is what one attempt's driver reads: the caller's reader,
// counted, hashed when asked, feeding the attempt's watchdog, and cut off
// once the attempt is over.
type attemptReader struct {
	src   *source
	wd    *watchdog
	stall time.Duration
	hash  hash.Hash // nil unless src.wantMD5

	over    atomic.Bool // the attempt has returned: reads fail
	started atomic.Bool // a Read has returned
	n       atomic.Int64
	eof     atomic.Bool
	random  atomic.Bool           // read at offsets or sought: n and hash are not the object's bytes in order
	readErr atomic.Pointer[error] // a non-EOF error of the caller's reader
}

var errAttemptOver = errors.New("failover: read of an abandoned put attempt")

func (a *attemptReader) Read(p []byte) (int, error) {
	if a.over.Load() {
		return 0, errAttemptOver
	}
	a.src.sem <- struct{}{}
	defer func() { <-a.src.sem }()
	if a.over.Load() {
		return 0, errAttemptOver
	}
	if a.eof.Load() {
		return 0, io.EOF // never read the caller's reader past its end
	}
	// Time spent inside the caller's reader is not a stall of the server.
	a.wd.pause()
	n, err := a.src.r.Read(p)
	if n > 0 {
		a.n.Add(int64(n))
		if a.hash != nil {
			a.hash.Write(p[:n])
		}
	}
	switch {
	case err == io.EOF:
		a.eof.Store(true)
	case err != nil:
		a.readErr.Store(&err)
	}
	if !a.started.Swap(true) {
		a.wd.setWindow(a.stall)
	}
	a.wd.resume()
	return n, err
}

// attemptAt is an attempt's reader when the caller's reader can seek and
// read at offsets: the driver below may then read the object's parts in
// parallel, at offsets (s3core does). Offsets and positions are relative
// to where the caller's reader was when Put was called, so the object is
// the same bytes whichever way the driver reads it; a retry needs no
// rewind for reads at offsets (rewind still seeks back, for the next
// attempt's sequential reads).
type attemptAt struct{ *attemptReader }

// ReadAt reads the caller's reader at start+off. Parallel calls are fine,
// as io.ReaderAt promises; they need no lock against rewind, whose Seek
// does not move them.
func (a attemptAt) ReadAt(p []byte, off int64) (int, error) {
	if a.over.Load() {
		return 0, errAttemptOver
	}
	a.random.Store(true)
	a.wd.pause()
	n, err := a.src.at.ReadAt(p, a.src.start+off)
	if n > 0 {
		a.n.Add(int64(n))
	}
	if err != nil && err != io.EOF {
		a.readErr.Store(&err)
	}
	if !a.started.Swap(true) {
		a.wd.setWindow(a.stall)
	}
	a.wd.resume()
	return n, err
}

// Seek moves the caller's reader, relative to its start position.
func (a attemptAt) Seek(off int64, whence int) (int64, error) {
	if a.over.Load() {
		return 0, errAttemptOver
	}
	a.src.sem <- struct{}{}
	defer func() { <-a.src.sem }()
	if a.over.Load() {
		return 0, errAttemptOver
	}
	sk := a.src.seeker
	cur, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	target := cur + off
	switch whence {
	case io.SeekStart:
		target = a.src.start + off
	case io.SeekEnd:
		end, err := sk.Seek(0, io.SeekEnd)
		if err != nil {
			return 0, err
		}
		target = end + off
	case io.SeekCurrent:
	default:
		return 0, errors.New("failover: Seek: invalid whence")
	}
	if target < a.src.start {
		_, _ = sk.Seek(cur, io.SeekStart)
		return 0, errors.New("failover: Seek: before the start of the object")
	}
	pos, err := sk.Seek(target, io.SeekStart)
	if err != nil {
		return 0, err
	}
	if whence != io.SeekCurrent || off != 0 {
		a.random.Store(true)
		a.eof.Store(false)
	}
	return pos - a.src.start, nil
}

// touched reports whether the caller's reader was read from.
func (a *attemptReader) touched() bool {
	return a.n.Load() > 0 || a.eof.Load() || a.readErr.Load() != nil
}

func (a *attemptReader) sourceErr() error {
	if p := a.readErr.Load(); p != nil {
		return *p
	}
	return nil
}
