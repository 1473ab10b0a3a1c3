package s3core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/background"
)

// Uploader is what the upload engine needs of a driver: the S3 requests of
// a put, in the driver's SDK. Every method returns the driver's
// *backend.Error (op p.Op, the key, the kind of the server's answer); a
// 412 answer is ErrExist and NoSuchKey is ErrNotFound, as everywhere.
type Uploader interface {
	// PutObject sends a whole object with one request: data, whose
	// CRC32C is sum, with the plan's headers and preconditions.
	PutObject(ctx context.Context, p *Plan, data []byte, sum backend.Checksum) (backend.ObjectInfo, error)
	// CreateUpload starts a multipart upload with the plan's headers, of
	// the FULL_OBJECT CRC32C type when p.Checksummed, and returns its id.
	CreateUpload(ctx context.Context, p *Plan) (id string, err error)
	// UploadPart sends one part, with part.CRC32C, and returns the part
	// with its ETag.
	UploadPart(ctx context.Context, p *Plan, id string, part Part, data []byte) (Part, error)
	// CompleteUpload publishes the object from its parts (in order), with
	// the CRC32C of the whole object (none when sum is zero) and the
	// plan's preconditions.
	CompleteUpload(ctx context.Context, p *Plan, id string, parts []Part, sum backend.Checksum) (backend.ObjectInfo, error)
	// AbortUpload is one round of removing an upload: nil once the server
	// no longer has it (NoSuchUpload is success), ErrStillListed when it
	// is still there after the abort.
	AbortUpload(ctx context.Context, key, id string) error
	// Stat is the driver's Stat (the preconditions of a multipart upload
	// are checked before its parts are sent).
	Stat(ctx context.Context, key string) (backend.ObjectInfo, error)
}

// Streamer is an Uploader that can send an object of known size, at most
// one part, straight from a reader, without buffering it. r is the
// engine's: it fails once ctx ends and after Put returned, and the engine
// blames a failed put on r when r failed.
type Streamer interface {
	PutStream(ctx context.Context, p *Plan, r io.Reader, size int64) (backend.ObjectInfo, error)
}

// Plan is one put, copy or compose: its key and its checked options.
type Plan struct {
	Op   string // "put", "copy" or "compose": the name errors give
	Key  string
	Opts backend.PutOptions
}

// Checksummed reports whether the plan's object gets a CRC32C of its
// whole content: a put's does; a copy made of part copies has none.
func (p *Plan) Checksummed() bool { return p.Op == "put" }

// Part is one part of a multipart upload.
type Part struct {
	Num    int
	ETag   string
	CRC32C string // the header value (EncodeChecksum)
}

// ErrStillListed is what AbortUpload returns when the upload is still
// there after the abort: a part request the server took before the abort
// can bring it back (AWS documents it; versitygw does it).
var ErrStillListed = errors.New("the upload is still listed after the abort")

// Engine puts objects over S3: one request for an object of one part, a
// multipart upload with bounded memory for a larger one, aborted on any
// failure. One Engine serves one driver.
//
// Memory: a put of known size up to PartSize holds its size (nothing with
// a Streamer); a larger one from an io.ReaderAt and io.Seeker, with a
// SectionUploader, holds no part buffers (readerat.go); a larger or
// unknown one from another reader holds at most Concurrency buffers
// of PartSize bytes, whatever the object's size: the caller's goroutine
// fills one buffer at a time, and a goroutine per part sends it. A small
// object of unknown size costs about its own size (the first buffer
// grows by doubling up to 1 MiB before it takes a part buffer).
type Engine struct {
	PartSize    int64
	Concurrency int
	MaxParts    int               // MaxParts; lowered by tests only
	Background  *background.Group // aborts that go on after Put returned; stopped by the driver's Close

	pool sync.Pool // *[]byte of PartSize bytes

	hintsMu sync.Mutex
	hints   map[string]string // key: the ETag last stored (conflict.go)
}

// Limits of the S3 multipart protocol (AWS, MinIO and versitygw keep them).
const (
	MinPartSize = 5 << 20 // every part but the last is at least 5 MiB
	MaxPartSize = 5 << 30 // and at most 5 GiB
	MaxParts    = 10000   // parts of one multipart upload
)

// Put stores r under key with u. opts must have passed backend.CheckPut.
//
// An object that would need more than MaxParts parts is ErrTooLarge:
// before any I/O when its size is known, else once the source has
// delivered MaxParts parts and has more (the upload is then aborted, so no
// truncated object is stored). A failing reader, a cancelled ctx or a
// refused part aborts the upload too. With IfMatch, a 412 or a key that
// holds no object is ErrPreconditionFailed; with IfNotExist, a 412 is
// ErrExist.
//
// The returned info holds the key, size, ETag, checksum, content type,
// metadata and HTTP attributes (LastModified if the uploader has it).
func (e *Engine) Put(ctx context.Context, u Uploader, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if err := e.CheckSize(key, opts.Size); err != nil {
		return backend.ObjectInfo{}, err
	}
	p := &Plan{Op: "put", Key: key, Opts: opts}
	info, err := e.put(ctx, u, p, r)
	if err != nil {
		return backend.ObjectInfo{}, p.preconditionErr(err)
	}
	info.Key, info.ContentType, info.Metadata, info.HTTPAttributes = key, opts.ContentType, opts.Metadata, opts.HTTPAttributes
	return info, nil
}

// streamAbove is the smallest known size a Streamer sends straight from
// the reader; smaller objects are buffered, so that their put can be
// sent again (create-only first, see conflict.go) and signed whole.
const streamAbove = 1 << 20

// pooledAbove is the smallest known size sent from the caller's
// io.ReaderAt (SectionPutter) or else buffered in a pooled part buffer;
// smaller objects get a buffer of their own size.
const pooledAbove = 256 << 10

func (e *Engine) put(ctx context.Context, u Uploader, p *Plan, r io.Reader) (backend.ObjectInfo, error) {
	size := p.Opts.Size
	if su, ok := u.(SectionUploader); ok && size > e.PartSize {
		if ra, sk, base, ok := sectionSource(r); ok {
			return e.putSections(ctx, u, su, p, ra, sk, base)
		}
	}
	// A conditional put is read in sequence (buffered): the failover
	// layer above hashes the bytes it passes down, to tell its own earlier
	// write from another writer's after a retry (backend/failover, put.go).
	conditional := p.Opts.IfNotExist || p.Opts.IfMatch != ""
	if sp, ok := u.(SectionPutter); ok && !conditional && size >= pooledAbove && size <= e.PartSize {
		if ra, sk, base, ok := sectionSource(r); ok {
			return e.putSection(ctx, u, sp, p, ra, sk, base)
		}
	}
	src := &source{ctx: ctx, r: backend.ExactReader(p.Key, r, size)}
	defer src.finish()
	if s, ok := u.(Streamer); ok && size > streamAbove && size <= e.PartSize {
		if err := checkConflicts(ctx, u, p.Op, p.Key); err != nil {
			return backend.ObjectInfo{}, err
		}
		info, err := s.PutStream(ctx, p, src, size)
		if err != nil {
			return info, src.blame(p.Key, err)
		}
		return info, nil
	}
	var (
		first []byte
		more  bool
		err   error
	)
	if size < 0 {
		first, more, err = src.fillGrowing(e)
	} else {
		switch {
		case size < pooledAbove:
			first = make([]byte, size)
		case size <= e.PartSize:
			// A part buffer from the pool: no fresh allocation to clear
			// and collect for every put of a mid-sized object.
			first = e.buffer()[:size]
		default:
			first = e.buffer()
		}
		var n int
		n, more, err = src.fill(first)
		first = first[:n]
	}
	if err != nil {
		e.release(first)
		return backend.ObjectInfo{}, readErr(p.Key, err)
	}
	if !more {
		defer e.release(first)
		sum := CRC32C(first)
		return e.putChecked(ctx, u, p, func(p *Plan) (backend.ObjectInfo, error) { return u.PutObject(ctx, p, first, sum) })
	}
	sent := false
	info, err := e.putMultipart(ctx, u, p, func(id string) ([]Part, int64, backend.Checksum, error) {
		sent = true
		return e.sendParts(ctx, u, p, id, src, first)
	})
	if !sent {
		e.release(first)
	}
	return info, err
}

// preconditionErr gives a failed put with IfMatch its kind: the server's
// 412 (ErrExist, the failure of IfNotExist) or NoSuchKey (the key holds
// no object) is ErrPreconditionFailed.
func (p *Plan) preconditionErr(err error) error {
	if p.Opts.IfMatch == "" || !(errors.Is(err, backend.ErrExist) || errors.Is(err, backend.ErrNotFound)) {
		return err
	}
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		err = be.Err
	}
	return backend.NewError("put", p.Key, backend.ErrPreconditionFailed, fmt.Errorf("IfMatch %q: %w", p.Opts.IfMatch, err))
}

func (e *Engine) tooLarge(key, what string) error {
	return backend.NewError("put", key, backend.ErrTooLarge, fmt.Errorf(
		"%s needs more than %d parts of %d bytes (the part size); raise the part size (part_size=) to store larger objects",
		what, e.MaxParts, e.PartSize))
}

// readErr wraps an error of the caller's reader (or of the context).
// *backend.Error causes (ExactReader's size checks) keep their kind.
func readErr(key string, err error) error {
	return backend.NewError("put", key, nil, fmt.Errorf("reading the object's bytes: %w", err))
}

func (e *Engine) buffer() []byte {
	if b, ok := e.pool.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, e.PartSize)
}

// release returns a part buffer to the pool; buffers of another capacity
// (a small object's) are left to the garbage collector.
func (e *Engine) release(b []byte) {
	if int64(cap(b)) != e.PartSize {
		return
	}
	b = b[:cap(b)]
	e.pool.Put(&b)
}

// putMultipart sends an object of more than one part: send sends the
// parts of upload id (sendParts, sendSections) and returns them in order,
// the object's size and its CRC32C. The object is published only by a
// successful completion; any failure aborts the upload.
func (e *Engine) putMultipart(ctx context.Context, u Uploader, p *Plan, send func(id string) ([]Part, int64, backend.Checksum, error)) (backend.ObjectInfo, error) {
	if err := checkBeforeUpload(ctx, u, p); err != nil {
		return backend.ObjectInfo{}, err
	}
	conflicts := checkAsync(ctx, u, p) // waited for before the completion
	id, err := u.CreateUpload(ctx, p)
	if err != nil {
		conflicts()
		return backend.ObjectInfo{}, err
	}
	parts, size, sum, err := send(id)
	if cerr := conflicts(); err == nil {
		err = cerr
	}
	if err == nil {
		var info backend.ObjectInfo
		if info, err = u.CompleteUpload(ctx, p, id, parts, sum); err == nil {
			info.Size, info.Checksum = size, sum
			return info, nil
		}
	}
	return backend.ObjectInfo{}, e.Abort(ctx, u, p.Key, id, err)
}

// checkBeforeUpload fails a conditional put before gigabytes are sent:
// the key is taken (IfNotExist), or holds another version or none
// (IfMatch). The preconditions on the completion are what decide; this
// only saves a doomed upload.
func checkBeforeUpload(ctx context.Context, u Uploader, p *Plan) error {
	o := p.Opts
	if !o.IfNotExist && o.IfMatch == "" {
		return nil
	}
	st, err := u.Stat(ctx, p.Key)
	switch {
	case err != nil && !errors.Is(err, backend.ErrNotFound):
		return backend.NewError("put", p.Key, nil, err)
	case o.IfNotExist && err == nil:
		return backend.NewError("put", p.Key, backend.ErrExist, nil)
	case o.IfMatch != "" && err != nil:
		return backend.NewError("put", p.Key, backend.ErrPreconditionFailed,
			fmt.Errorf("IfMatch %q: the key holds no object", o.IfMatch))
	case o.IfMatch != "" && !backend.ETagsEqual(st.ETag, o.IfMatch):
		return backend.NewError("put", p.Key, backend.ErrPreconditionFailed,
			fmt.Errorf("IfMatch %q: the object's ETag is %q", o.IfMatch, st.ETag))
	}
	return nil
}

// sendParts sends first and the parts that src delivers, Concurrency at a
// time, and returns the parts in order, the object's size and its CRC32C.
// On error the parts in flight have ended when it returns.
func (e *Engine) sendParts(ctx context.Context, u Uploader, p *Plan, id string, src *source, first []byte) ([]Part, int64, backend.Checksum, error) {
	// stop ends the reading at the first failure. The parts in flight run
	// on ctx and are not cut short by another's failure: a part request
	// cancelled midway can still be processed by the server after the
	// abort, and bring the upload back (versitygw does).
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	src.ctx = stop
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		parts    []Part
		firstErr error
		whole    = backend.NewHash(backend.CRC32C) // of the parts so far, in order
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	// free holds the buffers whose parts are sent; allocated counts the
	// buffers in existence (first included), never more than Concurrency.
	free := make(chan []byte, e.Concurrency)
	allocated := 1
	nextBuffer := func() []byte {
		select {
		case b := <-free:
			return b
		default:
		}
		if allocated < e.Concurrency {
			allocated++
			return e.buffer()
		}
		select {
		case b := <-free:
			return b
		case <-stop.Done():
			return nil
		}
	}
	var size int64
	data, more := first, true
	for num := 1; ; num++ {
		size += int64(len(data))
		whole.Write(data) // before the buffer can be reused
		wg.Add(1)
		go func(num int, data []byte) {
			defer wg.Done()
			part, err := u.UploadPart(ctx, p, id, Part{Num: num, CRC32C: EncodeChecksum(CRC32C(data))}, data)
			free <- data[:cap(data)] // never blocks: at most Concurrency buffers exist
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			parts = append(parts, part)
			mu.Unlock()
		}(num, data)
		if !more {
			break
		}
		if num == e.MaxParts {
			fail(e.tooLarge(p.Key, "the object"))
			break
		}
		buf := nextBuffer()
		if buf == nil {
			break // a part failed, or ctx ended
		}
		n, m, err := src.fill(buf)
		if err != nil {
			free <- buf
			fail(src.blame(p.Key, readErr(p.Key, err)))
			break
		}
		data, more = buf[:n], m
	}
	wg.Wait()
	close(free)
	for b := range free {
		e.release(b)
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = backend.NewError("put", p.Key, nil, ctx.Err())
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Num - b.Num })
	return parts, size, backend.Checksum{Algorithm: backend.CRC32C, Value: whole.Sum(nil)}, firstErr
}

// CheckSize refuses, before any I/O, a known size that needs more than
// MaxParts parts.
func (e *Engine) CheckSize(key string, size int64) error {
	if size > e.PartSize*int64(e.MaxParts) {
		return e.tooLarge(key, fmt.Sprintf("its size of %d bytes", size))
	}
	return nil
}

// Abort removes an upload that a driver's own multipart operation (a
// copy made of part copies) gave up, as Put does for its own, and joins
// the abort's failure, if any, to err.
func (e *Engine) Abort(ctx context.Context, u Uploader, key, id string, err error) error {
	aerr := e.abort(ctx, u, key, id)
	if aerr == nil {
		return err
	}
	const hint = "its parts stay until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them"
	var be *backend.Error
	if errors.As(err, &be) {
		be.Err = fmt.Errorf("%w (and aborting the incomplete upload %s failed: %v; %s)", be.Err, id, aerr, hint)
		return err
	}
	return backend.NewError("put", key, nil, fmt.Errorf("%w (and aborting the incomplete upload %s failed: %v; %s)", err, id, aerr, hint))
}
