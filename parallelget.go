package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/observe"
)

// Parallel ranged downloads (see WithParallelDownload and
// docs/downloads.md): defaults chosen by measurement (docs/benchmarks-history.md,
// "Parallel ranged downloads").
const (
	// DefaultDownloadThreshold is the smallest read (in bytes) that is
	// downloaded in parallel segments on network drivers.
	DefaultDownloadThreshold = 16 << 20
	// DefaultDownloadSegment is the size of one ranged request.
	DefaultDownloadSegment = 8 << 20
	// DefaultDownloadConcurrency is the number of segments fetched at
	// once; a read holds at most this many segment buffers.
	DefaultDownloadConcurrency = 4
)

// fastStream is the rate (bytes per second) from which the defaults
// leave a read to its first response: when the first MiB of it reached
// the caller at least this fast (loopback, a LAN), ranged requests cost
// the store more than they give (docs/benchmarks.md).
const fastStream = 128 << 20

// downloadConfig is how a client splits large reads.
type downloadConfig struct {
	threshold   int64
	segment     int64
	concurrency int
	// adaptive: split only a read whose first response is slower than
	// fastStream (the defaults; WithParallelDownload always splits).
	adaptive bool
	bufs     sync.Pool // of *[]byte, segment bytes each
}

// defaultDownload is the configuration of clients without
// WithParallelDownload on network drivers.
var defaultDownload = func() *downloadConfig {
	d := newDownloadConfig(DefaultDownloadThreshold, DefaultDownloadSegment, DefaultDownloadConcurrency)
	d.adaptive = true
	return d
}()

func newDownloadConfig(threshold, segment int64, concurrency int) *downloadConfig {
	if segment <= 0 {
		segment = DefaultDownloadSegment
	}
	d := &downloadConfig{threshold: threshold, segment: segment, concurrency: concurrency}
	d.bufs.New = func() any {
		b := make([]byte, d.segment)
		return &b
	}
	return d
}

func (d *downloadConfig) enabled() bool {
	return d != nil && d.threshold > 0 && d.concurrency > 1
}

// downloadConfigurer is what the backend of a client made with
// WithParallelDownload has, through its middleware (backend.As).
type downloadConfigurer interface {
	downloadConfig() *downloadConfig
}

// withDownload is the innermost wrapper of a client made with
// WithParallelDownload: it changes no call, and carries the configuration
// to every read of the client (get finds it with backend.As).
type withDownload struct {
	backend.Backend
	conf *downloadConfig
}

func (w *withDownload) Unwrap() backend.Backend         { return w.Backend }
func (w *withDownload) String() string                  { return observe.Name(w.Backend) }
func (w *withDownload) downloadConfig() *downloadConfig { return w.conf }

// downloadConfigOf returns how reads on b are split: the configuration of
// WithParallelDownload, else none on the local drivers (mem, fs: a range
// costs there more than it gives), else the defaults.
func downloadConfigOf(b backend.Backend) *downloadConfig {
	if d, ok := backend.As[downloadConfigurer](b); ok {
		return d.downloadConfig()
	}
	if _, ok := backend.As[*mem.Backend](b); ok {
		return nil
	}
	if _, ok := backend.As[*fs.Backend](b); ok {
		return nil
	}
	return defaultDownload
}

// parallelize returns the reader of the read (key, opts) whose first
// response is rc and info: rc itself, or, for a read of at least the
// threshold of a version with an ETag, a reader that serves the first
// segment from rc while workers fetch the next ones with ranged Gets
// pinned (IfMatch) to info.ETag (with the adaptive defaults, only if the
// first MiB of rc comes slower than fastStream).
func parallelize(ctx context.Context, b backend.Backend, key string, opts backend.GetOptions, rc io.ReadCloser, info backend.ObjectInfo) io.ReadCloser {
	if info.ETag == "" || info.Size <= 0 || opts.Offset >= info.Size {
		return rc
	}
	total := info.Size - opts.Offset
	if opts.Length >= 0 && opts.Length < total {
		total = opts.Length
	}
	conf := downloadConfigOf(b)
	if !conf.enabled() || total < conf.threshold || total <= conf.segment {
		return rc
	}
	n := int((total + conf.segment - 1) / conf.segment)
	slots := min(conf.concurrency, n-1)
	r := &parallelReader{
		b: b, key: key, etag: info.ETag, size: info.Size, conf: conf, parent: ctx,
		start: opts.Offset, end: opts.Offset + total, pos: opts.Offset, nseg: n,
		startAfter: min(conf.segment/8, 1<<20), opened: time.Now(),
		first: rc, inFirst: true,
		tokens: make(chan struct{}, slots), slots: make([]chan segResult, slots),
	}
	r.closeFirst = sync.OnceFunc(func() { _ = rc.Close() })
	r.ctx, r.cancel = context.WithCancel(ctx)
	for i := range r.slots {
		r.slots[i] = make(chan segResult, 1)
	}
	r.next.Store(1) // segment 0 is the first response's
	return r
}

// parallelReader delivers the bytes [start, end) of one version of an
// object in order: segment 0 from the first response, every later
// segment from a ranged Get that a worker made into a buffer. Workers
// claim segments in order and only while they hold one of the tokens,
// which the reader gives back once it delivered a segment: at most
// len(tokens) segment buffers exist, and the segment the reader waits for
// is always claimed (the held tokens are those of the segments it has not
// delivered yet, from the one it waits for on).
type parallelReader struct {
	b          backend.Backend
	key, etag  string
	size       int64 // of the whole object
	conf       *downloadConfig
	parent     context.Context
	start, end int64
	nseg       int
	// startAfter is how much of segment 0 the caller reads before the
	// workers start: a caller that reads a few bytes and closes or seeks
	// (content sniffing, http.ServeContent) costs no segment. With the
	// adaptive defaults, the rate at which these bytes came since opened
	// decides whether workers start at all (else: sequential).
	startAfter int64
	opened     time.Time

	ctx    context.Context // the workers'; cancelled by Close and at the end
	cancel context.CancelFunc
	closed atomic.Bool

	// first serves segment 0 while inFirst. closeFirst closes it (once),
	// also while a Read waits on it (as Close of a plain Get's body does).
	first      io.ReadCloser
	closeFirst func()

	mu         sync.Mutex // serialises Read, WriteTo and the end of Close
	pos        int64
	inFirst    bool
	sequential bool // the first response serves the whole read, as without splitting
	seg        int  // the segment cur holds, or the one awaited
	cur        *segResult
	err        error // sticky
	started    bool
	stopped    bool

	wg        sync.WaitGroup
	tokens    chan struct{}
	slots     []chan segResult // segment i arrives on slots[i%len(slots)]
	next      atomic.Int64     // the next segment to claim
	noIfMatch atomic.Bool      // the backend cannot read with IfMatch: compare ETags
}

// segResult is one fetched segment: buf[:n], or err (buf nil).
type segResult struct {
	buf *[]byte
	n   int
	off int // bytes of it already delivered
	err error
}

func (r *parallelReader) segRange(i int) (off, n int64) {
	off = r.start + int64(i)*r.conf.segment
	return off, min(r.conf.segment, r.end-off)
}

func (r *parallelReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.check(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.sequential {
		n, err := r.first.Read(p)
		r.pos += int64(n)
		return n, err
	}
	if r.inFirst {
		return r.readFirst(p)
	}
	s, err := r.await()
	if err != nil {
		return 0, err
	}
	n := copy(p, (*s.buf)[s.off:s.n])
	r.advance(n)
	return n, nil
}

// WriteTo writes every segment buffer in one Write (io.Copy uses it).
func (r *parallelReader) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var total int64
	for {
		if err := r.check(); err != nil {
			if err == io.EOF {
				err = nil
			}
			return total, err
		}
		if r.sequential {
			n, err := io.Copy(w, r.first)
			r.pos += n
			return total + n, err
		}
		if r.inFirst {
			src := &readerOnly{r: r.first}
			n, werr := io.CopyN(w, src, r.firstLeft())
			total += n
			if err := r.afterFirst(n, src.err); err != nil {
				return total, err
			}
			if src.err == nil && werr != nil { // w's error
				return total, werr
			}
			continue
		}
		s, err := r.await()
		if err != nil {
			return total, err
		}
		n, err := w.Write((*s.buf)[s.off:s.n])
		total += int64(n)
		r.advance(n)
		if err != nil {
			return total, err
		}
	}
}

// readerOnly hides a reader's WriteTo (a body's would write past the
// first segment), and keeps its error apart from the writer's.
type readerOnly struct {
	r   io.Reader
	err error
}

func (o *readerOnly) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// check returns the error a Read must return now, io.EOF at the end.
func (r *parallelReader) check() error {
	switch {
	case r.closed.Load():
		return backend.NewError("read", r.key, ErrClosed, errors.New("the reader was closed"))
	case r.err != nil:
		return r.err
	case r.pos >= r.end && !r.sequential: // a sequential read ends with its body's EOF
		r.stop()
		return io.EOF
	}
	return nil
}

// startWorkers starts the workers once the caller has read startAfter
// bytes of segment 0, or is past it.
func (r *parallelReader) startWorkers() {
	if r.started || r.sequential || (r.inFirst && r.pos-r.start < r.startAfter) {
		return
	}
	if r.conf.adaptive && r.inFirst {
		if rate := float64(r.pos-r.start) / time.Since(r.opened).Seconds(); rate >= fastStream {
			r.sequential = true
			return
		}
	}
	r.started = true
	for range len(r.slots) {
		r.wg.Go(r.work)
	}
}

func (r *parallelReader) readFirst(p []byte) (int, error) {
	n, err := r.first.Read(p[:min(int64(len(p)), r.firstLeft())])
	return n, r.afterFirst(int64(n), err)
}

// firstLeft is what the caller may read from the first response now: to
// the end of segment 0, or until the workers start.
func (r *parallelReader) firstLeft() int64 {
	_, seg0 := r.segRange(0)
	if !r.started && r.pos-r.start < r.startAfter {
		return r.start + r.startAfter - r.pos
	}
	return r.start + seg0 - r.pos
}

// afterFirst counts n bytes read from the first response, which gave
// err, and closes it at the end of segment 0.
func (r *parallelReader) afterFirst(n int64, err error) error {
	r.pos += n
	r.startWorkers()
	if _, seg0 := r.segRange(0); r.pos == r.start+seg0 && !r.sequential {
		r.closeFirst() // the rest comes from the workers
		r.inFirst, r.seg = false, 1
		return nil
	}
	switch {
	case err == io.EOF:
		return r.fail(backend.NewError("read", r.key, nil, fmt.Errorf("at offset %d: %w", r.pos, io.ErrUnexpectedEOF)))
	case err != nil:
		return r.fail(err)
	}
	return nil
}

// await returns the segment r.seg, waiting for its worker.
func (r *parallelReader) await() (*segResult, error) {
	if r.cur != nil {
		return r.cur, nil
	}
	r.startWorkers()
	select {
	case s := <-r.slots[r.seg%len(r.slots)]:
		if s.err != nil {
			if r.closed.Load() { // the worker failed because Close stopped it
				return nil, r.check()
			}
			return nil, r.fail(s.err)
		}
		r.cur = &s
		return r.cur, nil
	case <-r.ctx.Done():
		if err := r.check(); err != nil { // closed
			return nil, err
		}
		return nil, r.fail(backend.NewError("read", r.key, nil, fmt.Errorf("at offset %d: %w", r.pos, context.Cause(r.parent))))
	}
}

// advance counts n bytes of the current segment delivered, and gives its
// buffer and token back once all were.
func (r *parallelReader) advance(n int) {
	s := r.cur
	s.off += n
	r.pos += int64(n)
	if s.off < s.n {
		return
	}
	r.conf.bufs.Put(s.buf)
	r.cur = nil
	r.seg++
	<-r.tokens
	if r.pos >= r.end {
		r.stop()
	}
}

func (r *parallelReader) fail(err error) error {
	r.err = err
	r.stop()
	return err
}

// stop ends the workers, waits for them and gives their buffers back.
func (r *parallelReader) stop() {
	if r.stopped {
		return
	}
	r.stopped = true
	r.cancel()
	r.wg.Wait()
	r.inFirst = false
	r.closeFirst()
	if r.cur != nil {
		r.conf.bufs.Put(r.cur.buf)
		r.cur = nil
	}
	for _, c := range r.slots {
		select {
		case s := <-c:
			if s.buf != nil {
				r.conf.bufs.Put(s.buf)
			}
		default:
		}
	}
}

// Close stops the workers (a Read that waits for one returns ErrClosed)
// and waits for them. It is idempotent.
func (r *parallelReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.cancel()
	r.closeFirst()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stop()
	return nil
}

// work fetches segments, one per token it gets, until none is left or
// one fails.
func (r *parallelReader) work() {
	for {
		select {
		case r.tokens <- struct{}{}:
		case <-r.ctx.Done():
			return
		}
		i := int(r.next.Add(1) - 1)
		if i >= r.nseg {
			<-r.tokens
			return
		}
		off, n := r.segRange(i)
		buf := r.conf.bufs.Get().(*[]byte)
		err := r.fetch(off, (*buf)[:n])
		if err != nil {
			r.conf.bufs.Put(buf)
			buf = nil
		}
		r.slots[i%len(r.slots)] <- segResult{buf: buf, n: int(n), err: err}
		if err != nil {
			return
		}
	}
}

// fetch reads the bytes of the pinned version from off into dst.
func (r *parallelReader) fetch(off int64, dst []byte) error {
	opts := backend.GetOptions{Offset: off, Length: int64(len(dst)), IfMatch: r.etag}
	if r.noIfMatch.Load() {
		opts.IfMatch = ""
	}
	rc, info, err := r.b.Get(r.ctx, r.key, opts)
	if err != nil && opts.IfMatch != "" && errors.Is(err, ErrNotSupported) {
		// A driver that cannot read with IfMatch (gocloud's S3 and
		// file buckets) still reports the version it read.
		r.noIfMatch.Store(true)
		opts.IfMatch = ""
		rc, info, err = r.b.Get(r.ctx, r.key, opts)
	}
	if err != nil {
		switch {
		case errors.Is(err, ErrPreconditionFailed):
			return r.changed("its ETag is no longer "+fmt.Sprintf("%q", r.etag), err)
		case errors.Is(err, ErrNotFound):
			return r.changed("it was removed", err)
		case errors.Is(err, ErrInvalidArgument):
			return r.changed("it is shorter now", err)
		}
		return backend.NewError("read", r.key, nil, fmt.Errorf("at offset %d: %w", off, err))
	}
	defer rc.Close()
	switch {
	case info.Size != r.size:
		return r.changed(fmt.Sprintf("its size is %d bytes now, was %d", info.Size, r.size), nil)
	case !backend.ETagsEqual(info.ETag, r.etag):
		return r.changed(fmt.Sprintf("its ETag is %q now, was %q", info.ETag, r.etag), nil)
	}
	n, err := io.ReadFull(rc, dst)
	if err == nil {
		if err = finish(rc); err == io.EOF {
			return nil
		}
	}
	return backend.NewError("read", r.key, nil, fmt.Errorf("at offset %d: %w", off+int64(n), err))
}

func (r *parallelReader) changed(why string, cause error) error {
	msg := "the object changed while being read (" + why + "); no bytes of the new version were returned: read it again"
	if cause != nil {
		return backend.NewError("read", r.key, ErrChanged, fmt.Errorf("%s: %w", msg, cause))
	}
	return backend.NewError("read", r.key, ErrChanged, errors.New(msg))
}
