package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// ErrChanged: an ObjectReader (or a file of Client.FS) needed another
// range of its object, and the store now holds another version of it (it
// was overwritten or removed after the reader was opened). The reader
// never returns bytes of two versions: reopen the object to read the new
// one. It is a sentinel of this package only (drivers never return it);
// when the object was removed the error also wraps ErrNotFound.
var ErrChanged = errors.New("object changed while being read")

const (
	// skipAhead is the largest forward Seek that a sequential Read
	// covers by reading on (and discarding) in its open stream rather
	// than opening a new range: a request costs more than 64 KiB.
	skipAhead = 64 << 10
	// maxIdle is the number of ranges that ReadAt keeps open for a
	// reader that continues where it stopped (io.SectionReader,
	// archive/zip), per ObjectReader.
	maxIdle = 4
	// recentEnds is the number of ReadAt end offsets remembered to
	// recognise sequential ReadAt calls.
	recentEnds = 4
)

// ObjectReader reads one object: it is an io.Reader, io.ReaderAt,
// io.Seeker and io.Closer, and it reports the object's attributes from
// the response that opened it (no second request). Client.OpenObject
// returns it.
//
// Reads are ranged reads of the store:
//
//   - Read continues one open stream: a whole object read from start to
//     end is the one request that opened the reader.
//   - A Seek makes no request. The next Read continues the open stream
//     when it moved forward by at most 64 KiB (the bytes between are read
//     and dropped), and otherwise opens a new range from there to the
//     end.
//   - ReadAt neither uses nor moves the Read offset. A ReadAt that starts
//     where an earlier ReadAt ended continues its range (up to four are
//     kept open); another one opens a range of exactly the bytes asked
//     for, and a second ReadAt that continues it opens the rest of the
//     object, so a sequential reader (io.SectionReader) costs two
//     requests, and a random one one request per call.
//   - ReadAt is safe for concurrent use, also with Read and Seek (Read and
//     Seek are serialised with each other).
//
// Every range is pinned to the version of the object that the first
// response described: a range whose response names another ETag (or
// size) fails with an error wrapping ErrChanged and delivers none of its
// bytes; so do the ranges of an object that was removed (the error wraps
// ErrNotFound too). The reader never mixes bytes of two versions.
//
// The context given to OpenObject governs every read; Close stops a read
// in flight in another goroutine, which then fails with ErrClosed. The
// caller must Close the reader. It starts no goroutine of its own; a long
// sequential read may be split into parallel ranged reads (see
// WithParallelDownload), whose goroutines Close stops and waits for.
type ObjectReader struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc
	name   string
	info   backend.ObjectInfo // of the whole object, as first seen
	size   int64
	closed atomic.Bool

	// segs are the objects the reader concatenates: one for an object,
	// one per non-empty chunk for a stream (Client.FS), in order.
	segs []segment

	seqMu sync.Mutex // serialises Read and Seek
	pos   int64      // the Read offset
	seq   *rangeStream

	mu     sync.Mutex // guards idle, ends and the pins of segs
	idle   []*rangeStream
	ends   [recentEnds]int64
	endsAt int
}

// segment is one object of a reader, at offset start of its bytes.
type segment struct {
	key    string
	start  int64
	size   int64
	pinned bool      // etag and mod hold what the first response said
	etag   string    // the ETag of the first response
	mod    time.Time // its LastModified, compared when there is no ETag
}

// rangeStream is one open ranged read of segment seg, at absolute
// offset pos, ending at end.
type rangeStream struct {
	rc       io.ReadCloser
	seg      int
	pos, end int64
}

// OpenObject opens the object name for reading with one request and
// returns an ObjectReader positioned at its start, which reports the
// object's size, modification time, ETag, content type and metadata from
// that response (see ObjectReader for how reads, seeks and ReadAt turn
// into ranged reads, and for ErrChanged). A missing object is ErrNotFound;
// a stream object is not an object (read it with OpenStream, or as a file
// of FS). The caller must Close the reader; GetObject is the plain
// io.ReadCloser for reading an object once.
func (c *Client) OpenObject(ctx context.Context, name string) (*ObjectReader, error) {
	if err := backend.ValidateKey("open", name); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	rc, info, err := get(rctx, c.b, name, backend.WholeObject)
	if err != nil {
		cancel()
		return nil, err
	}
	seg := segment{key: name, size: info.Size, pinned: true, etag: info.ETag, mod: info.LastModified}
	r := newObjectReader(c, rctx, cancel, name, info, []segment{seg})
	if info.Size > 0 {
		r.seq = &rangeStream{rc: rc, end: info.Size}
	} else {
		_ = rc.Close() // an empty body; its Close changes nothing read
	}
	return r, nil
}

func newObjectReader(c *Client, ctx context.Context, cancel context.CancelFunc, name string, info backend.ObjectInfo, segs []segment) *ObjectReader {
	info.Key = name
	r := &ObjectReader{c: c, ctx: ctx, cancel: cancel, name: name, info: info, segs: segs}
	for _, s := range segs {
		r.size = max(r.size, s.start+s.size)
	}
	for i := range r.ends {
		r.ends[i] = -1
	}
	return r
}

// Name returns the object's name.
func (r *ObjectReader) Name() string { return r.name }

// Size returns the object's size in bytes.
func (r *ObjectReader) Size() int64 { return r.size }

// ModTime returns the object's modification time.
func (r *ObjectReader) ModTime() time.Time { return r.info.LastModified }

// ETag returns the object's entity tag, the version every range is
// pinned to; empty for a stream object.
func (r *ObjectReader) ETag() string { return r.info.ETag }

// ContentType returns the object's MIME type.
func (r *ObjectReader) ContentType() string { return r.info.ContentType }

// Metadata returns a copy of the object's user metadata (lower-case keys).
func (r *ObjectReader) Metadata() map[string]string { return maps.Clone(r.info.Metadata) }

// Info returns all the attributes at once (Metadata copied).
func (r *ObjectReader) Info() backend.ObjectInfo {
	info := r.info
	info.Metadata = maps.Clone(info.Metadata)
	return info
}

// Read reads from the Read offset, continuing the open range when there
// is one. It returns io.EOF at the end of the object.
func (r *ObjectReader) Read(p []byte) (int, error) {
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	if r.closed.Load() {
		return 0, r.closedErr()
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.pos >= r.size {
			return 0, io.EOF
		}
		s, err := r.seqStream()
		if err != nil {
			return 0, err
		}
		n, err := s.rc.Read(p[:min(int64(len(p)), s.end-s.pos)])
		s.pos += int64(n)
		r.pos += int64(n)
		if err == nil && s.pos == s.end {
			err = finish(s.rc)
		}
		switch {
		case err == io.EOF && s.pos == s.end:
			_ = s.rc.Close()
			r.seq = nil
		case err == io.EOF:
			_ = s.rc.Close()
			r.seq = nil
			return n, r.readError(s, io.ErrUnexpectedEOF)
		case err != nil:
			_ = s.rc.Close()
			r.seq = nil
			return n, r.readError(s, err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// seqStream returns the open stream of Read, moved to r.pos, opening a
// new range when there is none or it cannot get there by reading on.
func (r *ObjectReader) seqStream() (*rangeStream, error) {
	if s := r.seq; s != nil && s.pos != r.pos {
		skip := r.pos - s.pos
		if skip > 0 && skip <= skipAhead && r.pos < s.end {
			n, err := io.CopyN(io.Discard, s.rc, skip)
			s.pos += n
			if err == nil {
				return s, nil
			}
		}
		_ = s.rc.Close()
		r.seq = nil
	}
	if r.seq == nil {
		i := r.segAt(r.pos)
		end := r.segs[i].start + r.segs[i].size
		s, err := r.open(i, r.pos, end-r.pos)
		if err != nil {
			return nil, err
		}
		r.seq = s
	}
	return r.seq, nil
}

// ReadAt reads len(p) bytes from offset off, without using or moving the
// Read offset. It returns fewer bytes only with an error, io.EOF at the
// end of the object. It is safe for concurrent use.
func (r *ObjectReader) ReadAt(p []byte, off int64) (int, error) {
	if r.closed.Load() {
		return 0, r.closedErr()
	}
	if off < 0 {
		return 0, backend.NewError("read", r.name, ErrInvalidArgument, fmt.Errorf("ReadAt offset %d is negative", off))
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	var n int64
	for n < want {
		pos := off + n
		i := r.segAt(pos)
		segEnd := r.segs[i].start + r.segs[i].size
		need := min(want-n, segEnd-pos)
		s := r.takeIdle(pos)
		if s == nil {
			length := need
			if r.continues(pos) {
				length = segEnd - pos // a sequential reader: keep the range for the next call
			}
			var err error
			if s, err = r.open(i, pos, length); err != nil {
				return int(n), err
			}
		}
		m, err := io.ReadFull(s.rc, p[n:n+need])
		s.pos += int64(m)
		n += int64(m)
		if err != nil {
			_ = s.rc.Close()
			return int(n), r.readError(s, err)
		}
		r.putIdle(s)
	}
	r.noteEnd(off + n)
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// Seek sets the Read offset (io.SeekStart, io.SeekCurrent, io.SeekEnd)
// and returns it. It makes no request; an offset past the end is allowed
// (Read then returns io.EOF), a negative one is ErrInvalidArgument.
func (r *ObjectReader) Seek(offset int64, whence int) (int64, error) {
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	if r.closed.Load() {
		return 0, r.closedErr()
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, backend.NewError("seek", r.name, ErrInvalidArgument, fmt.Errorf("invalid whence %d", whence))
	}
	if abs < 0 {
		return 0, backend.NewError("seek", r.name, ErrInvalidArgument, fmt.Errorf("offset %d is negative", abs))
	}
	r.pos = abs
	return abs, nil
}

// Close releases the reader and its open ranges, and stops a read in
// flight in another goroutine. It is idempotent.
func (r *ObjectReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.cancel()
	r.mu.Lock()
	idle := r.idle
	r.idle = nil
	r.mu.Unlock()
	for _, s := range idle {
		_ = s.rc.Close()
	}
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	if r.seq != nil {
		_ = r.seq.rc.Close()
		r.seq = nil
	}
	return nil
}

// segAt returns the index of the segment that holds byte pos < r.size.
func (r *ObjectReader) segAt(pos int64) int {
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].start+r.segs[i].size > pos })
	return min(i, len(r.segs)-1)
}

// open starts a ranged read of length bytes of segment i from the
// absolute offset pos, and checks that the response describes the version
// the segment is pinned to.
func (r *ObjectReader) open(i int, pos, length int64) (*rangeStream, error) {
	// Only key and start are read here: they never change, while
	// checkPin writes the pins under r.mu.
	key, start := r.segs[i].key, r.segs[i].start
	rc, info, err := get(r.ctx, r.c.b, key, backend.GetOptions{Offset: pos - start, Length: length})
	if err != nil {
		switch {
		case r.closed.Load():
			return nil, r.closedErr()
		case errors.Is(err, ErrNotFound):
			return nil, r.changedError(key, "it was removed", err)
		case errors.Is(err, ErrInvalidArgument):
			// The range starts past the end: the object shrank.
			return nil, r.changedError(key, "it is shorter now", err)
		}
		return nil, err
	}
	if err := r.checkPin(i, info); err != nil {
		_ = rc.Close()
		return nil, err
	}
	return &rangeStream{rc: rc, seg: i, pos: pos, end: pos + length}, nil
}

// checkPin pins segment i to the first response's version, and fails a
// later response that describes another one.
func (r *ObjectReader) checkPin(i int, info backend.ObjectInfo) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seg := &r.segs[i]
	switch {
	case info.Size != seg.size:
		return r.changedError(seg.key, fmt.Sprintf("its size is %d bytes now, was %d", info.Size, seg.size), nil)
	case !seg.pinned:
		seg.pinned, seg.etag, seg.mod = true, info.ETag, info.LastModified
	case seg.etag != "" || info.ETag != "":
		if info.ETag != seg.etag {
			return r.changedError(seg.key, fmt.Sprintf("its ETag is %q now, was %q", info.ETag, seg.etag), nil)
		}
	case !info.LastModified.Equal(seg.mod):
		return r.changedError(seg.key, fmt.Sprintf("it was modified at %v, after %v", info.LastModified, seg.mod), nil)
	}
	return nil
}

func (r *ObjectReader) changedError(key, why string, cause error) error {
	what := "the object"
	if key != r.name {
		what = fmt.Sprintf("its part %q", key)
	}
	msg := fmt.Sprintf("%s changed after the reader was opened (%s); no bytes of the new version were returned: reopen it to read the new version", what, why)
	if cause != nil {
		return backend.NewError("read", r.name, ErrChanged, fmt.Errorf("%s: %w", msg, cause))
	}
	return backend.NewError("read", r.name, ErrChanged, errors.New(msg))
}

// readError names the reader in the error of a range's body.
func (r *ObjectReader) readError(s *rangeStream, err error) error {
	if r.closed.Load() {
		return r.closedErr()
	}
	return backend.NewError("read", r.segs[s.seg].key, nil, fmt.Errorf("at offset %d: %w", s.pos, err))
}

func (r *ObjectReader) closedErr() error {
	return backend.NewError("read", r.name, ErrClosed, errors.New("the object reader was closed"))
}

// takeIdle returns the kept range that continues at pos, or nil.
func (r *ObjectReader) takeIdle(pos int64) *rangeStream {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range r.idle {
		if s.pos == pos {
			r.idle = append(r.idle[:i], r.idle[i+1:]...)
			return s
		}
	}
	return nil
}

// putIdle keeps s for a ReadAt that continues it, or closes it when it is
// complete or the reader is closed. The oldest kept range goes first.
func (r *ObjectReader) putIdle(s *rangeStream) {
	if s.pos >= s.end {
		_ = finish(s.rc)
		_ = s.rc.Close()
		return
	}
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		_ = s.rc.Close()
		return
	}
	r.idle = append(r.idle, s)
	var drop *rangeStream
	if len(r.idle) > maxIdle {
		drop = r.idle[0]
		r.idle = r.idle[1:]
	}
	r.mu.Unlock()
	if drop != nil {
		_ = drop.rc.Close()
	}
}

// continues reports whether a ReadAt at pos starts where a recent one
// ended.
func (r *ObjectReader) continues(pos int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.ends {
		if e == pos {
			return true
		}
	}
	return false
}

func (r *ObjectReader) noteEnd(end int64) {
	r.mu.Lock()
	r.ends[r.endsAt] = end
	r.endsAt = (r.endsAt + 1) % recentEnds
	r.mu.Unlock()
}

// finish reads a range whose last byte was read to its end: the reader
// then runs its end-of-body checks, and an HTTP connection can be reused.
// It returns io.EOF when the range is complete.
func finish(rc io.Reader) error {
	var b [1]byte
	for range 3 {
		n, err := rc.Read(b[:])
		if n > 0 {
			return errors.New("the store sent more bytes than the range holds")
		}
		if err != nil {
			return err
		}
	}
	return io.EOF // a reader that keeps returning 0, nil: take it as the end
}
