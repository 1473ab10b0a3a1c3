package s3core

import (
	"context"
	"fmt"
	"hash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/objstore-dev/objstore/backend"
)

// SectionUploader is an Uploader that can send a part straight from a
// section of the caller's io.ReaderAt, without buffering it.
type SectionUploader interface {
	// UploadSection sends the bytes of r (r.Size() bytes from offset 0)
	// as part num, with their CRC32C, and returns the part with its ETag
	// and CRC32C (EncodeChecksum). It computes the CRC32C with
	// HashSection, in the pass that computes whatever else its request
	// needs (a signed payload hash, a Content-MD5), then sends r, which it
	// may rewind (r is the engine's: its reads fail once the put has
	// returned, and the engine blames a failed part on the reader when the
	// reader failed).
	UploadSection(ctx context.Context, p *Plan, id string, num int, r *io.SectionReader) (Part, error)
}

// SectionPutter is an Uploader that can send a one-request object
// straight from a section of the caller's io.ReaderAt, without copying it
// into a buffer first (as the SDKs' own PutObject sends a bytes.Reader).
// The engine does so for puts without the caller's preconditions
// (IfNotExist, IfMatch), which it reads in sequence (see put).
type SectionPutter interface {
	// PutSection sends r (r.Size() bytes from offset 0) with one PUT, with
	// the plan's headers and preconditions, as PutObject sends its bytes.
	// It hashes r with HashSection in the pass that computes whatever
	// else its request needs, then sends r, which it may rewind; the
	// ObjectInfo it returns carries that CRC32C. r is the engine's, as in
	// UploadSection.
	PutSection(ctx context.Context, p *Plan, r *io.SectionReader) (backend.ObjectInfo, error)
}

// Sources of known size that are an io.ReaderAt and an io.Seeker
// (*os.File, *bytes.Reader, *strings.Reader, *io.SectionReader, and the
// wrappers that keep both) are put in parallel parts read at their
// offsets, as minio-go and the AWS Uploader do: each part in flight is a
// section of the reader, hashed in one pass and read again as it is sent,
// and no part is buffered, so that an upload holds a small hashing buffer
// per part in flight whatever the part size. The object is the bytes from
// the reader's position when Put is called (Seek(0, io.SeekCurrent):
// ReadAt offsets of a bytes.Reader are absolute, not relative to its
// position); after a successful put the reader is at the object's end, as
// if it had been read; after a failed one its position is unspecified.
// Readers of unknown size, and readers without Seek, keep the buffered
// path (upload.go).

// sectionSource returns r as a ReaderAt and its position, when a put of
// a known size can read it at offsets.
func sectionSource(r io.Reader) (io.ReaderAt, io.Seeker, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	sk, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return nil, nil, 0, false
	}
	base, err := sk.Seek(0, io.SeekCurrent)
	if err != nil || base < 0 {
		return nil, nil, 0, false
	}
	return ra, sk, base, true
}

// atSource is the caller's ReaderAt as a put reads it: offsets relative to
// the object's start, exactly size bytes (a reader that ends early is
// ErrInvalidArgument, as backend.ExactReader says), no bytes together with
// an error, the first error remembered for blame, ctx's error once ctx
// ends, and no reads after the put returned. Parallel ReadAt calls are
// fine, as io.ReaderAt promises of the caller's reader.
type atSource struct {
	ctx        context.Context
	key        string
	r          io.ReaderAt
	base, size int64
	done       atomic.Bool
	mu         sync.Mutex
	err        error
}

func (s *atSource) ReadAt(p []byte, off int64) (int, error) {
	if s.done.Load() {
		return 0, errFinished
	}
	if err := s.ctx.Err(); err != nil {
		return 0, s.fail(err)
	}
	if off < 0 || off >= s.size {
		return 0, io.EOF
	}
	want := p[:min(int64(len(p)), s.size-off)]
	n, err := s.r.ReadAt(want, s.base+off)
	switch {
	case err != nil && err != io.EOF:
		return 0, s.fail(err)
	case n < len(want):
		return 0, s.fail(backend.NewError("put", s.key, backend.ErrInvalidArgument,
			fmt.Errorf("reader ended after %d of %d bytes: %w", off+int64(n), s.size, io.ErrUnexpectedEOF)))
	case len(want) < len(p):
		return n, io.EOF
	}
	return n, nil
}

// checkEnd makes sure the reader holds no more than size bytes (as
// backend.ExactReader does for a reader read in sequence); that it holds
// that many is checked as the parts read it.
func (s *atSource) checkEnd() error {
	var one [1]byte
	n, err := s.r.ReadAt(one[:], s.base+s.size)
	switch {
	case n > 0:
		return backend.NewError("put", s.key, backend.ErrInvalidArgument,
			fmt.Errorf("reader delivered more than the declared size of %d bytes", s.size))
	case err != nil && err != io.EOF:
		return s.fail(err)
	}
	return nil
}

func (s *atSource) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return err
}

// blame returns the error of a part that read from s: when the reader
// (or the context) failed, that failure is the cause, whatever the
// driver made of it.
func (s *atSource) blame(key string, err error) error {
	s.mu.Lock()
	serr := s.err
	s.mu.Unlock()
	if serr != nil {
		return readErr(key, serr)
	}
	return err
}

// hashBuffers are HashSection's buffers: the only memory a part read at
// offsets holds besides the transport's.
var hashBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// HashSection reads r once, from offset 0, into its CRC32C and the other
// hashes given, and returns the CRC32C's header value (EncodeChecksum),
// with r back at offset 0 for the request to send it.
func HashSection(r *io.SectionReader, also ...hash.Hash) (string, error) {
	bp := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(bp)
	buf := *bp
	crc := backend.NewHash(backend.CRC32C)
	for off := int64(0); off < r.Size(); {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), r.Size()-off)], off)
		if n > 0 {
			crc.Write(buf[:n])
			for _, h := range also {
				h.Write(buf[:n])
			}
			off += int64(n)
		}
		if err != nil && (err != io.EOF || off < r.Size()) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return EncodeChecksum(backend.Checksum{Algorithm: backend.CRC32C, Value: crc.Sum(nil)}), nil
}

// putSection puts an object of one request from a section of the
// caller's reader: hashed, then sent, without a copy (see SectionPutter).
// A put sent again (putChecked) reads the section again.
func (e *Engine) putSection(ctx context.Context, u Uploader, sp SectionPutter, p *Plan, ra io.ReaderAt, sk io.Seeker, base int64) (backend.ObjectInfo, error) {
	src := &atSource{ctx: ctx, key: p.Key, r: ra, base: base, size: p.Opts.Size}
	defer src.done.Store(true)
	if err := src.checkEnd(); err != nil {
		return backend.ObjectInfo{}, readErr(p.Key, err)
	}
	info, err := e.putChecked(ctx, u, p, func(p *Plan) (backend.ObjectInfo, error) {
		return sp.PutSection(ctx, p, io.NewSectionReader(src, 0, src.size))
	})
	if err != nil {
		return info, src.blame(p.Key, err)
	}
	_, _ = sk.Seek(base+src.size, io.SeekStart) // as in putSections
	return info, nil
}

// putSections puts an object of size > PartSize from src, Concurrency
// parts at a time, each a section of src.
func (e *Engine) putSections(ctx context.Context, u Uploader, su SectionUploader, p *Plan, ra io.ReaderAt, sk io.Seeker, base int64) (backend.ObjectInfo, error) {
	src := &atSource{ctx: ctx, key: p.Key, r: ra, base: base, size: p.Opts.Size}
	defer src.done.Store(true)
	if err := src.checkEnd(); err != nil {
		return backend.ObjectInfo{}, readErr(p.Key, err)
	}
	info, err := e.putMultipart(ctx, u, p, func(id string) ([]Part, int64, backend.Checksum, error) {
		return e.sendSections(ctx, su, p, id, src)
	})
	if err != nil {
		return info, err
	}
	// The object is stored: a failed seek only leaves the position where
	// it was, which the put's result does not depend on.
	_, _ = sk.Seek(base+src.size, io.SeekStart)
	return info, nil
}

// sendSections sends the parts of src, Concurrency at a time, and returns
// them in order, the object's size and its CRC32C (combined from the
// parts'). A failure stops the sending of further parts; the parts in
// flight run on ctx and are not cut short (see sendParts). On error the
// parts in flight have ended when it returns.
func (e *Engine) sendSections(ctx context.Context, su SectionUploader, p *Plan, id string, src *atSource) ([]Part, int64, backend.Checksum, error) {
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		count    = int((src.size + e.PartSize - 1) / e.PartSize)
		parts    = make([]Part, count)
		sem      = make(chan struct{}, e.Concurrency)
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	partLen := func(i int) int64 { return min(e.PartSize, src.size-int64(i)*e.PartSize) }
send:
	for i := range count {
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
			break send
		}
		if stop.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			r := io.NewSectionReader(src, int64(i)*e.PartSize, partLen(i))
			part, err := su.UploadSection(ctx, p, id, i+1, r)
			if err != nil {
				fail(src.blame(p.Key, err))
				return
			}
			parts[i] = part
		}(i)
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = backend.NewError("put", p.Key, nil, ctx.Err())
	}
	if firstErr != nil {
		return nil, 0, backend.Checksum{}, firstErr
	}
	var whole combined
	for i, part := range parts {
		c, err := backend.ParseChecksum(backend.CRC32C, part.CRC32C)
		if err != nil || c.Algorithm == "" {
			return nil, 0, backend.Checksum{}, backend.NewError("put", p.Key, nil, fmt.Errorf("part %d: no CRC32C (%v)", part.Num, err))
		}
		whole.add(c, partLen(i))
	}
	return parts, src.size, whole.sum(), nil
}
