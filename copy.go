package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// CopyOptions tunes CopyObject. The zero value copies the source's bytes,
// content type and metadata, replaces whatever the destination holds, and
// copies inside the store where it can.
type CopyOptions struct {
	// ContentType replaces the source's content type; empty keeps it.
	ContentType string
	// Metadata replaces the source's user metadata; nil keeps it. An
	// empty, non-nil map stores none.
	Metadata map[string]string
	// HTTPAttributes replace the source's (CacheControl, ContentEncoding,
	// ...); nil keeps them. A pointer to the zero value clears them.
	HTTPAttributes *backend.HTTPAttributes
	// IfNotExist makes the copy create-only: when the destination exists,
	// ErrExist and the destination unchanged.
	IfNotExist bool
	// Streaming makes the bytes pass through the client even when the
	// backend could copy them inside the store.
	Streaming bool
}

// CopyInfo describes what CopyObject wrote.
type CopyInfo struct {
	// ObjectInfo of the destination object, as the copy or the put
	// returned it (LastModified may be zero: StatObject has it). For a
	// stream: Key is the destination stream's name, Size the sum of its
	// chunks, ContentType and Metadata those of its first chunk.
	backend.ObjectInfo
	Stream     bool // the source was a stream object; Chunks chunks were copied
	Chunks     int  // number of chunks copied (streams only)
	ServerSide bool // the store copied every byte (backend.Copier); false: some or all streamed through the client
}

// copyWorkers is the number of chunks of a stream copied at a time.
const copyWorkers = 8

// copyCleanupTimeout bounds the removal of a failed stream copy's keys,
// which runs even when the caller's ctx has ended.
const copyCleanupTimeout = 30 * time.Second

// CopyObject copies the object src to dst and returns the info of dst.
//
// Where: when the backend is a backend.Copier (S3 and MinIO CopyObject,
// and UploadPartCopy for large objects; GCS rewrite; Azure copy from URL
// through gocloud; mem shares the bytes) the store copies and no byte
// passes through the client; otherwise, when Copy answers
// ErrNotSupported (a store that cannot replace metadata on a copy, or
// cannot make it create-only), or with opts.Streaming, the client streams
// the bytes: one Get of src and one Put of dst of the known size. Either
// way dst is written atomically: no reader sees a partial object, and on
// an error dst is unchanged.
//
// dst gets src's content type and metadata unless opts replaces them
// (ContentType non-empty, Metadata non-nil; replacing one keeps the
// other, which costs one Stat of src). With opts.IfNotExist a dst that
// exists is ErrExist and stays as it was. A missing src is ErrNotFound
// naming src. src == dst is allowed only with new metadata or content
// type (the object keeps its bytes); otherwise ErrInvalidArgument. dst
// must not be a key of a stream object (a marker or a chunk key:
// ErrInvalidArgument, as for PutObject).
//
// A stream object is copied whole: when src names a closed stream (no
// plain object of that name), each chunk NAME/BASE.N becomes chunk N of
// the stream dst (dst/DBASE.N), with the chunk's metadata unless opts
// replaces it. A stream in progress (its marker exists) is refused with
// ErrInvalidArgument: its writer may still add chunks. dst must be free
// (no object, no stream: ErrExist otherwise, whatever opts.IfNotExist
// says), and the copy is atomic as streams see it: the destination's
// marker is created first, so readers see dst in progress until its last
// chunk is stored and then complete, never complete with a chunk
// missing; on an error the chunks and marker it wrote are removed.
// Chunks are copied with create-only puts or copies, so a writer that
// opens dst meanwhile makes the copy fail rather than mix the streams.
func (c *Client) CopyObject(ctx context.Context, src, dst string, opts CopyOptions) (CopyInfo, error) {
	const op = "copy"
	if err := backend.ValidateKey(op, src); err != nil {
		return CopyInfo{}, err
	}
	if err := backend.ValidateKey(op, dst); err != nil {
		return CopyInfo{}, err
	}
	if err := reservedKeyError(op, dst); err != nil {
		return CopyInfo{}, err
	}
	var err error
	if opts.Metadata != nil {
		if opts.Metadata, err = backend.NormalizeMetadata(op, dst, opts.Metadata); err != nil {
			return CopyInfo{}, err
		}
		if opts.Metadata == nil {
			opts.Metadata = map[string]string{} // still "replace with none"
		}
	}
	if opts.ContentType != "" {
		if _, err := backend.NormalizeContentType(op, dst, opts.ContentType); err != nil {
			return CopyInfo{}, err
		}
	}
	if opts.HTTPAttributes != nil {
		if err := backend.CheckHTTPAttributes(op, dst, *opts.HTTPAttributes); err != nil {
			return CopyInfo{}, err
		}
	}
	if src == dst && !opts.replaces() {
		return CopyInfo{}, backend.NewError(op, dst, ErrInvalidArgument, errors.New(
			"a copy of an object onto itself changes nothing: give new metadata or a new content type, or another destination"))
	}
	info, err := c.copyPlain(ctx, src, dst, opts)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return info, err
	}
	// No plain object src: a stream object of that name, or nothing.
	return c.copyStream(ctx, src, dst, opts, err)
}

// replaces reports whether the copy changes the content type, metadata or
// HTTP attributes of the source.
func (o CopyOptions) replaces() bool {
	return o.Metadata != nil || o.ContentType != "" || o.HTTPAttributes != nil
}

// backendOptions are the backend.CopyOptions of a copy that replaces: what
// o gives, and for what it keeps, the source's (src, from its Stat).
func (o CopyOptions) backendOptions(src backend.ObjectInfo) backend.CopyOptions {
	b := backend.CopyOptions{ReplaceMetadata: true, IfNotExist: o.IfNotExist,
		ContentType: o.ContentType, Metadata: o.Metadata, HTTPAttributes: src.HTTPAttributes}
	if o.ContentType == "" {
		b.ContentType = src.ContentType
	}
	if o.Metadata == nil {
		b.Metadata = src.Metadata
	}
	if o.HTTPAttributes != nil {
		b.HTTPAttributes = *o.HTTPAttributes
	}
	return b
}

// copyPlain copies the plain object src. ErrNotFound means there is none.
func (c *Client) copyPlain(ctx context.Context, src, dst string, opts CopyOptions) (CopyInfo, error) {
	const op = "copy"
	bopts := backend.CopyOptions{IfNotExist: opts.IfNotExist}
	if opts.replaces() {
		var si backend.ObjectInfo
		if opts.Metadata == nil || opts.ContentType == "" || opts.HTTPAttributes == nil {
			var err error
			if si, err = c.b.Stat(ctx, src); err != nil {
				return CopyInfo{}, err
			}
		}
		bopts = opts.backendOptions(si)
	}
	if cp, ok := backend.As[backend.Copier](c.b); ok && !opts.Streaming {
		info, err := cp.Copy(ctx, dst, src, bopts)
		if err == nil {
			return CopyInfo{ObjectInfo: info, ServerSide: true}, nil
		}
		if !errors.Is(err, ErrNotSupported) {
			return CopyInfo{}, err
		}
		c.log.Debug("objstore: copying through the client: the store cannot make this copy", "src", src, "dst", dst, "reason", err)
	}
	info, err := c.streamCopy(ctx, src, dst, bopts, opts.IfNotExist)
	if err != nil {
		return CopyInfo{}, err
	}
	return CopyInfo{ObjectInfo: info}, nil
}

// streamCopy copies src to dst through the client: a Get of src and a Put
// of dst with src's size, so the put checks that every byte arrived and
// dst is atomic as every Put is.
func (c *Client) streamCopy(ctx context.Context, src, dst string, bopts backend.CopyOptions, ifNotExist bool) (backend.ObjectInfo, error) {
	rc, si, err := get(ctx, c.b, src, backend.WholeObject)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	defer rc.Close()
	popts := backend.PutOptions{Size: si.Size, ContentType: si.ContentType, Metadata: si.Metadata,
		HTTPAttributes: si.HTTPAttributes, IfNotExist: ifNotExist}
	if bopts.ReplaceMetadata {
		popts.ContentType, popts.Metadata, popts.HTTPAttributes = bopts.ContentType, bopts.Metadata, bopts.HTTPAttributes
	}
	info, err := c.b.Put(ctx, dst, rc, popts)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("copy", dst, nil, err)
	}
	return info, nil
}

// copyStream copies the closed stream src to the stream dst (see
// CopyObject); notFound is the error of the plain copy.
func (c *Client) copyStream(ctx context.Context, src, dst string, opts CopyOptions, notFound error) (CopyInfo, error) {
	const op = "copy"
	ks, err := newStreamKeys(op, src)
	if err != nil {
		return CopyInfo{}, notFound // too long to be a stream's name
	}
	missing := func() error {
		return backend.NewError(op, src, ErrNotFound, errors.New("no object and no stream object of that name"))
	}
	// The marker first, then the listing: a writer that stores a chunk and
	// closes in between is seen in progress, never closed with a chunk
	// missing (as CompactStream).
	if _, err := c.statMarker(ctx, ks); err == nil {
		return CopyInfo{}, backend.NewError(op, src, ErrInvalidArgument, fmt.Errorf(
			"the stream is in progress (its marker %q exists): a writer may still add chunks; close the writer before copying", ks.marker))
	} else if !errors.Is(err, ErrNotFound) {
		return CopyInfo{}, backend.NewError(op, src, nil, err)
	}
	type chunk struct {
		n    int
		info backend.ObjectInfo
	}
	var chunks []chunk
	if err := c.scanChunks(ctx, ks, func(n int, o backend.ObjectInfo) bool {
		chunks = append(chunks, chunk{n, o})
		return true
	}); err != nil {
		return CopyInfo{}, backend.NewError(op, src, nil, err)
	}
	if len(chunks) == 0 {
		return CopyInfo{}, missing()
	}
	if src == dst {
		return CopyInfo{}, backend.NewError(op, dst, ErrInvalidArgument, errors.New(
			"a stream object cannot be copied onto itself (its metadata is on every chunk): copy it to another name"))
	}
	slices.SortFunc(chunks, func(a, b chunk) int { return a.n - b.n })
	kd, err := newStreamKeys(op, dst)
	if err != nil {
		return CopyInfo{}, err
	}
	if err := c.checkStreamKeys(op, kd); err != nil {
		return CopyInfo{}, err
	}

	// The first chunk's attributes describe the stream (StatObject).
	first, err := c.b.Stat(ctx, chunks[0].info.Key)
	if err != nil {
		return CopyInfo{}, backend.NewError(op, src, nil, err)
	}
	bopts := backend.CopyOptions{IfNotExist: true}
	ct, md := first.ContentType, first.Metadata
	if opts.replaces() {
		bopts = opts.backendOptions(first)
		bopts.IfNotExist = true
		ct, md = bopts.ContentType, bopts.Metadata
	}

	// dst must be free: no object, and no stream.
	if _, err := c.b.Stat(ctx, dst); err == nil {
		return CopyInfo{}, backend.NewError(op, dst, ErrExist,
			errors.New("a plain object of that name exists; a stream is copied only to a free name"))
	} else if !errors.Is(err, ErrNotFound) {
		return CopyInfo{}, backend.NewError(op, dst, nil, err)
	}
	marker := strconv.Itoa(chunks[0].n)
	if err := c.putCreateOnly(ctx, kd.marker, bytes.NewReader([]byte(marker)), backend.PutOptions{Size: int64(len(marker)), Metadata: md}); err != nil {
		if errors.Is(err, ErrExist) {
			return CopyInfo{}, backend.NewError(op, dst, ErrExist, fmt.Errorf(
				"a stream of that name is being written (its marker %q exists); a stream is copied only to a free name", kd.marker))
		}
		return CopyInfo{}, backend.NewError(op, dst, nil, err)
	}
	var (
		mu      sync.Mutex
		written []string // dst keys this copy created, to remove on failure
	)
	fail := func(err error) (CopyInfo, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), copyCleanupTimeout)
		defer cancel()
		errs := []error{err}
		for _, k := range append(written, kd.marker) {
			if rerr := c.b.Remove(cctx, k); rerr != nil {
				errs = append(errs, rerr)
			}
		}
		return CopyInfo{}, errors.Join(errs...)
	}
	closed := false
	if err := c.scanChunks(ctx, kd, func(int, backend.ObjectInfo) bool { closed = true; return false }); err != nil {
		return fail(backend.NewError(op, dst, nil, err))
	}
	if closed {
		return fail(backend.NewError(op, dst, ErrExist, errors.New(
			"a stream of that name exists (its chunks do); a stream is copied only to a free name: remove it first")))
	}

	cp, native := backend.As[backend.Copier](c.b)
	native = native && !opts.Streaming
	var (
		next       atomic.Int64
		serverSide atomic.Bool
		firstErr   error
		wg         sync.WaitGroup
	)
	serverSide.Store(native)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(copyWorkers, len(chunks)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(chunks) || cctx.Err() != nil {
					return
				}
				from, to := chunks[i].info.Key, kd.chunk(chunks[i].n)
				viaStore, err := c.copyChunk(cctx, cp, native, to, from, bopts)
				mu.Lock()
				if err == nil {
					written = append(written, to)
					if !viaStore {
						serverSide.Store(false)
					}
				} else if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return fail(backend.NewError(op, src, nil, firstErr))
	}
	if err := c.b.Remove(ctx, kd.marker); err != nil {
		return CopyInfo{}, backend.NewError(op, dst, nil, fmt.Errorf(
			"every chunk was copied, but the marker %q could not be removed, so the stream looks in progress: remove it to complete the stream: %w", kd.marker, err))
	}
	var total int64
	for _, ch := range chunks {
		total += ch.info.Size
	}
	return CopyInfo{
		ObjectInfo: backend.ObjectInfo{Key: dst, Size: total, LastModified: time.Now().UTC(), ContentType: ct, Metadata: md},
		Stream:     true, Chunks: len(chunks), ServerSide: serverSide.Load(),
	}, nil
}

// copyChunk copies one chunk create-only: with the store's Copier when
// native, else (or when it answers ErrNotSupported) through the client.
// viaStore tells which.
func (c *Client) copyChunk(ctx context.Context, cp backend.Copier, native bool, dst, src string, bopts backend.CopyOptions) (viaStore bool, err error) {
	if native {
		_, err := cp.Copy(ctx, dst, src, bopts)
		if err == nil || !errors.Is(err, ErrNotSupported) {
			return true, err
		}
	}
	if c.createOnly.Load() != createOnlyNo {
		_, err := c.streamCopy(ctx, src, dst, bopts, true)
		if err == nil || !errors.Is(err, ErrNotSupported) {
			if err == nil {
				c.createOnly.Store(createOnlyYes)
			}
			return false, err
		}
		c.createOnly.Store(createOnlyNo)
	}
	// No create-only puts: stat, then put (docs/streams.md, "Backends
	// without create-only puts").
	if _, err := c.b.Stat(ctx, dst); err == nil {
		return false, backend.NewError("copy", dst, ErrExist, nil)
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	_, err = c.streamCopy(ctx, src, dst, bopts, false)
	return false, err
}
