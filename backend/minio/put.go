package minio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// maxParts is MaxParts, as a variable so that tests can check the
// too-large path without writing 10,000 parts.
var maxParts = MaxParts

// Put stores an object. How depends on what is known of its size:
//
//   - a known Size up to PartSize: one streaming PUT straight from r, no
//     buffer;
//   - otherwise the bytes are read into part buffers of PartSize: an
//     object that fits in one part is sent with one PUT (with its
//     signed SHA-256), a larger one as a multipart upload of the driver's
//     own (Concurrency parts in flight, each with its signed SHA-256). So
//     memory stays at Concurrency × PartSize whatever the object's size,
//     where minio-go's PutObject with size -1 buffers parts of about
//     512 MiB.
//
// An object that would need more than MaxParts parts gives ErrTooLarge:
// before any I/O when its Size is known, else once the source has
// delivered MaxParts full parts and still has more; the multipart upload
// is then aborted, so no truncated object is ever stored. Any failure
// (reader error, cancelled context, server error) aborts the multipart
// upload too, also when ctx is already cancelled.
//
// With IfNotExist the request carries If-None-Match: * (on the single PUT,
// and on both the initiation and the completion of a multipart upload), so
// the server refuses to replace an existing object: 412 becomes ErrExist.
// With IfMatch the same requests carry If-Match: "ETAG" (the
// completion's is the one that counts: MinIO checks it atomically as it
// publishes the object), and a 412, or a 404 for a key that holds no
// object, becomes ErrPreconditionFailed.
// Unless Config.SkipConflictCheck is set, a key that nests with an
// existing object's key is refused first (see conflicts.go).
//
// Every object gets a CRC32C of its whole content that the server checks
// as it receives the bytes and keeps with the object (internal/s3core,
// checksum.go): a buffered PUT sends it in x-amz-checksum-crc32c, a
// streaming PUT as a signed trailer that minio-go computes as the bytes
// pass, and a multipart upload is a FULL_OBJECT CRC32C upload: each part
// carries its own CRC32C and the completion the CRC32C of the whole,
// computed as the parts are read. The HTTP attributes are sent as their
// headers with the PUT, or the initiation of the multipart upload.
//
// The returned info holds the key, size, ETag, content type, metadata,
// HTTP attributes and checksum (that of a streaming PUT as the server
// answered it: none if it did not); LastModified is left zero, since the
// answer to a PUT does not carry it (Stat has it).
func (d *Driver) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, "put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if limit := d.partSize * int64(maxParts); opts.Size > limit {
		return backend.ObjectInfo{}, d.tooLarge(key, fmt.Sprintf("its size of %d bytes", opts.Size))
	}
	if d.conflict {
		if err := d.checkConflicts(ctx, key); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	p := putPlan{key: key, ifNotExist: opts.IfNotExist, ifMatch: opts.IfMatch, contentType: opts.ContentType,
		attrs: opts.HTTPAttributes, meta: encodeMetadata(opts.Metadata)}
	src := &source{ctx: ctx, r: backend.ExactReader(key, r, opts.Size)}
	defer src.finish()
	var info backend.ObjectInfo
	if opts.Size >= 0 && opts.Size <= d.partSize {
		info, err = d.putStream(ctx, p, src, opts.Size)
	} else {
		info, err = d.putBuffered(ctx, p, src)
	}
	if err != nil {
		return backend.ObjectInfo{}, p.preconditionErr(err)
	}
	info.Key, info.ContentType, info.Metadata, info.HTTPAttributes = key, opts.ContentType, opts.Metadata, opts.HTTPAttributes
	return info, nil
}

// putPlan is what a Put sends besides the bytes.
type putPlan struct {
	key         string
	ifNotExist  bool
	ifMatch     string // PutOptions.IfMatch
	contentType string
	attrs       backend.HTTPAttributes
	meta        map[string]string // encodeMetadata's
}

// options returns the minio-go options of the plan, with the x-amz-*
// headers of amz (checksums) sent as well: minio-go sends a UserMetadata
// name that starts with x-amz-checksum- as that header.
func (p putPlan) options(amz map[string]string) minio.PutObjectOptions {
	um := p.meta
	if len(amz) > 0 {
		um = make(map[string]string, len(p.meta)+len(amz))
		maps.Copy(um, p.meta)
		maps.Copy(um, amz)
	}
	o := minio.PutObjectOptions{
		ContentType:        p.contentType,
		CacheControl:       p.attrs.CacheControl,
		ContentDisposition: p.attrs.ContentDisposition,
		ContentEncoding:    p.attrs.ContentEncoding,
		ContentLanguage:    p.attrs.ContentLanguage,
		UserMetadata:       um,
	}
	p.conditions(&o)
	return o
}

// fullObjectCRC32C are the headers that make a multipart upload one whose
// object gets the CRC32C of its whole content (s3core, checksum.go).
var fullObjectCRC32C = map[string]string{s3core.HeaderAlgorithm: s3core.AlgorithmCRC32C, s3core.HeaderType: s3core.TypeFullObject}

// checksumHeader is the header that sends the checksum of a body.
func checksumHeader(c backend.Checksum) map[string]string {
	return map[string]string{s3core.HeaderCRC32C: s3core.EncodeChecksum(c)}
}

// conditions adds the plan's preconditions to o.
func (p putPlan) conditions(o *minio.PutObjectOptions) {
	if p.ifNotExist {
		o.SetMatchETagExcept("*")
	}
	if p.ifMatch != "" {
		o.SetMatchETag(strings.Trim(p.ifMatch, `"`))
	}
}

// preconditionErr gives a failed put with IfMatch its kind: the server's
// 412 (which the error map calls ErrExist, the failure of IfNotExist), or
// its 404 for a key that holds no object, is ErrPreconditionFailed.
func (p putPlan) preconditionErr(err error) error {
	var er minio.ErrorResponse
	if p.ifMatch == "" || !errors.As(err, &er) {
		return err
	}
	if er.StatusCode == http.StatusPreconditionFailed || er.Code == "PreconditionFailed" || er.Code == "NoSuchKey" {
		return backend.NewError("put", p.key, backend.ErrPreconditionFailed,
			fmt.Errorf("IfMatch %q: %w", p.ifMatch, er))
	}
	return err
}

func (d *Driver) tooLarge(key, what string) error {
	return backend.NewError("put", key, backend.ErrTooLarge, fmt.Errorf(
		"%s needs more than %d parts of %d bytes (the part size); raise the part size (part_size=) to store larger objects",
		what, maxParts, d.partSize))
}

// putStream sends an object of known size with one streaming PUT. Its
// CRC32C goes as a trailer of the streaming signature (minio-go computes
// it as the bytes pass, and signs it); an empty object's, which minio-go
// adds no trailer for, as a header.
func (d *Driver) putStream(ctx context.Context, p putPlan, src *source, size int64) (backend.ObjectInfo, error) {
	key := p.key
	var opts minio.PutObjectOptions
	if size == 0 {
		// No body is sent, so make the source prove it is empty.
		var one [1]byte
		if _, err := src.Read(one[:]); err != io.EOF {
			return backend.ObjectInfo{}, src.mapErr(d, key, err)
		}
		opts = p.options(checksumHeader(s3core.CRC32C(nil)))
	} else {
		opts = p.options(nil)
		opts.Checksum = minio.ChecksumCRC32C
	}
	ui, err := d.core.PutObject(ctx, d.bucket, key, src, size, "", "", opts)
	if err != nil {
		return backend.ObjectInfo{}, src.mapErr(d, key, err)
	}
	return backend.ObjectInfo{Size: size, ETag: ui.ETag, Checksum: s3core.Checksum(ui.ChecksumCRC32C, ui.ChecksumMode)}, nil
}

// putBuffered reads the object into part buffers: one PUT if it fits in
// one part, else a multipart upload.
func (d *Driver) putBuffered(ctx context.Context, p putPlan, src *source) (backend.ObjectInfo, error) {
	key := p.key
	first := d.getBuf()
	n, last, err := src.fill(*first)
	if err != nil {
		d.bufs.Put(first)
		return backend.ObjectInfo{}, src.mapErr(d, key, err)
	}
	if last {
		defer d.bufs.Put(first)
		sum := s3core.CRC32C((*first)[:n])
		etag, err := d.putOne(ctx, p, (*first)[:n], sum)
		if err != nil {
			return backend.ObjectInfo{}, d.err("put", key, err)
		}
		return backend.ObjectInfo{Size: int64(n), ETag: etag, Checksum: sum}, nil
	}
	return d.putMultipart(ctx, p, src, first, n)
}

// payloadHash: a buffered PUT and every part are sent with the SHA-256 of
// their bytes in X-Amz-Content-Sha256, which the SigV4 signature covers:
// the server rejects a body that does not match, so a corrupted or
// tampered body is never stored. The hash is computed once over the
// buffer; with SHA-NI it costs a fraction of an MD5 (Content-MD5, which
// the server would only compare with the MD5 it computes anyway for the
// ETag) and of minio-go's streaming signature over plain HTTP, which
// hashes every 64 KiB chunk and signs each one. On a small machine,
// where the client and the server share the cores, that is upload
// throughput: see docs/benchmarks.md. Streaming PUTs of a known size
// (putStream) are not buffered and keep the streaming signature.

// putOne sends a buffered object with one PUT (see payloadHash), with
// sum, its CRC32C.
func (d *Driver) putOne(ctx context.Context, p putPlan, data []byte, sum backend.Checksum) (etag string, err error) {
	body := newGuard(data)
	defer body.disable()
	opts := p.options(checksumHeader(sum))
	opts.DisableContentSha256 = true // no streaming signature: the hash is signed whole
	ui, err := d.core.PutObject(ctx, d.bucket, p.key, body, int64(len(data)), "", sha256Hex(data), opts)
	return ui.ETag, err
}

// putMultipart uploads the object in parts; first holds the first part
// (n bytes, not the last one). It owns first.
func (d *Driver) putMultipart(ctx context.Context, p putPlan, src *source, first *[]byte, n int) (_ backend.ObjectInfo, err error) {
	key := p.key
	bufs := []*[]byte{first}
	defer func() {
		for _, b := range bufs {
			d.bufs.Put(b)
		}
	}()
	id, err := d.core.NewMultipartUpload(ctx, d.bucket, key, p.options(fullObjectCRC32C))
	if err != nil {
		return backend.ObjectInfo{}, d.err("put", key, err)
	}
	completed := false
	defer func() {
		if !completed {
			if aerr := d.abort(ctx, key, id); aerr != nil {
				var be *backend.Error
				if errors.As(err, &be) {
					be.Err = errors.Join(be.Err, aerr)
				}
			}
		}
	}()

	uctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src.ctx = uctx // a failed part stops the reading of the next one
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		parts    []minio.CompletePart
		firstErr error // the first failure: it ends the upload
		total    int64
		whole    = backend.NewHash(backend.CRC32C) // of the parts so far, in order
	)
	fail := func(e error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = e
			cancel()
		}
	}
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return firstErr
	}
	free := make(chan *[]byte, d.conc)
	cur, last := bufs[0], false
	for num := 1; ; num++ {
		if !last && num == maxParts {
			fail(d.tooLarge(key, "the object"))
			break
		}
		total += int64(n)
		whole.Write((*cur)[:n])
		wg.Add(1)
		go func(num int, b *[]byte, n int) {
			defer wg.Done()
			part, err := d.putPart(uctx, key, id, num, (*b)[:n])
			free <- b
			if err != nil {
				fail(err)
				return
			}
			mu.Lock()
			parts = append(parts, part)
			mu.Unlock()
		}(num, cur, n)
		if last {
			break
		}
		if len(bufs) < d.conc {
			cur = d.getBuf()
			bufs = append(bufs, cur)
		} else {
			select {
			case cur = <-free:
			case <-uctx.Done():
			}
		}
		if failed() != nil || uctx.Err() != nil {
			break
		}
		var rerr error
		if n, last, rerr = src.fill(*cur); rerr != nil {
			fail(src.mapErr(d, key, rerr))
			break
		}
	}
	wg.Wait()
	if err := failed(); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, d.err("put", key, err)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	// The server checks the CRC32C of the whole object against the one it
	// combines from the parts' before it publishes the object.
	sum := backend.Checksum{Algorithm: backend.CRC32C, Value: whole.Sum(nil)}
	copts := minio.PutObjectOptions{UserMetadata: map[string]string{
		s3core.HeaderCRC32C: s3core.EncodeChecksum(sum),
		s3core.HeaderType:   s3core.TypeFullObject,
	}}
	p.conditions(&copts)
	ui, err := d.core.CompleteMultipartUpload(ctx, d.bucket, key, id, parts, copts)
	if err != nil {
		return backend.ObjectInfo{}, d.err("put", key, err)
	}
	completed = true
	return backend.ObjectInfo{Size: total, ETag: ui.ETag, Checksum: sum}, nil
}

// putPart uploads one part (see payloadHash) with its CRC32C, which the
// completion lists too.
func (d *Driver) putPart(ctx context.Context, key, id string, num int, data []byte) (minio.CompletePart, error) {
	body := newGuard(data)
	defer body.disable()
	crc := s3core.EncodeChecksum(s3core.CRC32C(data))
	p, err := d.core.PutObjectPart(ctx, d.bucket, key, id, num, body, int64(len(data)),
		minio.PutObjectPartOptions{
			Sha256Hex: sha256Hex(data), DisableContentSha256: true, // see payloadHash
			CustomHeader: http.Header{s3core.HeaderCRC32C: {crc}},
		})
	if err != nil {
		return minio.CompletePart{}, d.err("put", key, fmt.Errorf("part %d: %w", num, err))
	}
	return minio.CompletePart{PartNumber: num, ETag: p.ETag, ChecksumCRC32C: crc}, nil
}

func (d *Driver) getBuf() *[]byte { return d.bufs.Get().(*[]byte) }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// source is the caller's reader as a Put reads it. It stops with ctx's
// error once ctx ends; it delivers no bytes together with an error (so an
// HTTP transport never sends the bytes of a failing read, which could
// complete a request that should fail); it remembers the first error, so
// that a failed upload is blamed on the reader when the reader failed;
// and after finish it refuses to read, so a transport that still reads a
// request body after its round trip returned (net/http may) cannot touch
// the caller's reader once Put has returned.
type source struct {
	ctx   context.Context
	r     io.Reader
	done  atomic.Bool
	mu    sync.Mutex
	err   error
	carry [1]byte // a byte read ahead past a full part
	has   bool    // carry holds a byte
}

var errFinished = errors.New("put has returned")

func (s *source) Read(p []byte) (int, error) {
	if s.done.Load() {
		return 0, errFinished
	}
	if err := s.ctx.Err(); err != nil {
		return 0, s.fail(err)
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		return 0, s.fail(err)
	}
	return n, err
}

func (s *source) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return err
}

func (s *source) finish() { s.done.Store(true) }

// mapErr maps the error of a Put that read from s: when the reader (or
// the context) failed, that failure is the cause, whatever the transport
// made of it.
func (s *source) mapErr(d *Driver, key string, err error) error {
	s.mu.Lock()
	serr := s.err
	s.mu.Unlock()
	if serr != nil {
		return d.err("put", key, serr)
	}
	return d.err("put", key, err)
}

// fill reads the next part into buf: n bytes, and whether this is the last
// part. A full buffer is the last part only if the source then ends; the
// byte read to find out is kept for the next part.
func (s *source) fill(buf []byte) (n int, last bool, err error) {
	if s.has {
		buf[0] = s.carry[0]
		n = 1
		s.has = false
	}
	m, err := io.ReadFull(s, buf[n:])
	n += m
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return n, true, nil
	case err != nil:
		return n, false, err
	}
	for {
		k, err := s.Read(s.carry[:])
		if k == 1 {
			s.has = true
			return n, false, nil
		}
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
}

// guard is the body of a part or of a buffered PUT: a reader of data that
// can be disabled once the request returned, so the buffer can be reused
// even if the transport were still reading the old body.
type guard struct {
	mu  sync.Mutex
	r   *bytes.Reader
	off bool
}

func newGuard(data []byte) *guard { return &guard{r: bytes.NewReader(data)} }

func (g *guard) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off {
		return 0, errFinished
	}
	return g.r.Read(p)
}

// Seek lets minio-go rewind the body (it does so before its one attempt).
func (g *guard) Seek(off int64, whence int) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off {
		return 0, errFinished
	}
	return g.r.Seek(off, whence)
}

func (g *guard) disable() {
	g.mu.Lock()
	g.off = true
	g.mu.Unlock()
}
