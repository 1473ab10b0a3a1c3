package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"cloud.google.com/go/storage"

	"github.com/objstore-dev/objstore/backend"
)

// Put streams r into a storage.Writer. With opts.IfNotExist the upload
// carries ifGenerationMatch=0, so GCS refuses it (412, ErrExist) when the
// key holds an object, and leaves that object as it was.
//
// With opts.IfMatch (a compare-and-swap) Put first reads the object's
// attributes: a missing object, or an ETag other than opts.IfMatch, is
// ErrPreconditionFailed at once. Otherwise the upload carries
// ifGenerationMatch and ifMetagenerationMatch of the version whose ETag
// matched, so GCS publishes it only over that very version (its ETag
// changes with either number), checked atomically as the upload is
// finalised, also after chunks of a resumable upload: a 412 is
// ErrPreconditionFailed. GCS ETags are opaque, so the generation cannot be
// derived from the ETag itself; the extra request maps one to the other.
//
// The object is published only by a normal Close of the writer, which is
// done only after r ended cleanly with exactly opts.Size bytes (when
// known) and ctx is still live; every other path goes through abort.
// Every request is sent once (noRetries): a failed request, a chunk of a
// resumable upload included, fails the Put, and the failover layer of New
// sends the object again from byte 0 when it can.
//
// The HTTP attributes are fields of the uploaded object resource. The
// checksum is GCS's CRC32C of the object: the library declares the CRC32C
// of the bytes with the upload and GCS refuses a mismatch (ErrCorrupt,
// nothing stored); Put also compares the CRC32C GCS reports for the stored
// object with its own, for a server that does not check (removeDamaged).
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := b.guard.Put(ctx, key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	o := b.bucket.Object(key)
	switch {
	case opts.IfNotExist:
		o = o.If(storage.Conditions{DoesNotExist: true})
	case opts.IfMatch != "":
		cur, err := b.bucket.Object(key).Attrs(ctx)
		switch {
		case errors.Is(err, storage.ErrObjectNotExist):
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed,
				fmt.Errorf("IfMatch %q: the key holds no object", opts.IfMatch))
		case err != nil:
			return backend.ObjectInfo{}, wrap("put", key, err)
		case !backend.ETagsEqual(cur.Etag, opts.IfMatch):
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed,
				fmt.Errorf("IfMatch %q: the object's ETag is %q", opts.IfMatch, cur.Etag))
		}
		o = o.If(storage.Conditions{GenerationMatch: cur.Generation, MetagenerationMatch: cur.Metageneration})
	}
	// abort cancels wctx, so that the library stops the upload.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := o.NewWriter(wctx)
	w.ContentType = opts.ContentType
	w.Metadata = opts.Metadata
	setHTTPAttributes(&w.ObjectAttrs, opts.HTTPAttributes)
	w.ChunkSize = b.chunkFor(opts.Size)
	// The library computes the CRC32C of what it uploads and declares it
	// with the upload (in the metadata of a one-request upload, in the
	// X-Goog-Hash of the last request of a resumable one), so GCS refuses
	// bytes damaged on the way (400: ErrCorrupt). sum is the same CRC32C,
	// checked against the one GCS reports once the object is stored.
	sum := backend.NewHash(backend.CRC32C)

	// Every error of src is the caller's (its reader, the declared size,
	// ctx): it keeps its own kind and is never classified as a failure of
	// the store.
	src := backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size))
	wrote := false
	buf := make([]byte, copyBufferSize(w.ChunkSize, opts.Size))
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			wrote = true
			sum.Write(buf[:n])
			if _, werr := w.Write(buf[:n]); werr != nil {
				abort(w, cancel, wrote, werr)
				return backend.ObjectInfo{}, putErr(key, opts, werr)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			abort(w, cancel, wrote, rerr)
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, rerr)
		}
	}
	if err := ctx.Err(); err != nil {
		abort(w, cancel, wrote, err)
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	// Every byte was delivered and checked: publish.
	if err := w.Close(); err != nil {
		return backend.ObjectInfo{}, putErr(key, opts, err)
	}
	info := infoOf(w.Attrs())
	if want := (backend.Checksum{Algorithm: backend.CRC32C, Value: sum.Sum(nil)}); !info.Checksum.IsZero() && !info.Checksum.Equal(want) {
		return backend.ObjectInfo{}, b.removeDamaged(ctx, key, w.Attrs().Generation, info.Checksum, want)
	}
	return info, nil
}

// removeDamaged handles an upload that GCS accepted with a CRC32C other
// than that of the bytes the Put sent: a server that did not check the
// checksum the library declared (GCS checks it; fake-gcs-server checks
// it on one-request uploads only). The damaged generation is removed, and
// only it (ifGenerationMatch), so that no reader takes it for the object
// put; the Put fails with ErrCorrupt. What the key held before is gone
// either way.
func (b *Backend) removeDamaged(ctx context.Context, key string, gen int64, got, want backend.Checksum) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), composeCleanupTimeout)
	defer cancel()
	err := b.bucket.Object(key).If(storage.Conditions{GenerationMatch: gen}).Delete(rctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) && !isStatus(err, http.StatusPreconditionFailed) {
		return backend.NewError("put", key, backend.ErrCorrupt, fmt.Errorf(
			"GCS stored the object with %s, but the bytes put have %s; removing the damaged object failed: %w", got, want, err))
	}
	return backend.NewError("put", key, backend.ErrCorrupt, fmt.Errorf(
		"GCS stored the object with %s, but the bytes put have %s; the damaged object was removed", got, want))
}

// putErr wraps an error of the upload; with IfMatch, GCS's 412 (a
// generation condition that failed) is ErrPreconditionFailed, and GCS
// refusing bytes that do not match the declared CRC32C is ErrCorrupt.
func putErr(key string, opts backend.PutOptions, err error) error {
	if isChecksumRefusal(err) {
		return backend.NewError("put", key, backend.ErrCorrupt, err)
	}
	if opts.IfMatch != "" && isStatus(err, http.StatusPreconditionFailed) {
		return backend.NewError("put", key, backend.ErrPreconditionFailed, fmt.Errorf("IfMatch %q: %w", opts.IfMatch, err))
	}
	return wrap("put", key, err)
}

// abort ends an upload that must not be published. It cancels the
// writer's context and fails the writer's pipe with cause before it waits
// for the upload goroutine: the pipe then can never yield the clean EOF
// that would let the library send the final request, so GCS never
// finalises the object. Close is called only after the pipe has failed,
// and only to wait for the goroutine (it returns the failure, it cannot
// publish). A writer that was never written to never started an upload
// and needs nothing.
func abort(w *storage.Writer, cancel context.CancelFunc, wrote bool, cause error) {
	cancel()
	if !wrote {
		return
	}
	if cause == nil {
		cause = context.Canceled
	}
	// CloseWithError is deprecated in favour of cancelling the context,
	// which we did; but the library fails the pipe on cancellation from a
	// goroutine of its own, so we fail it here too, synchronously, before
	// Close could close it cleanly. io.Pipe keeps the first close error.
	_ = w.CloseWithError(cause) //nolint:staticcheck // see above
	_ = w.Close()
}

// chunkFor returns the writer's ChunkSize for an object of the given size
// (-1: unknown): the configured chunk, or for a smaller known size the
// smallest buffer that holds the whole object and sees its end, so that it
// goes in one request and a small Put does not allocate a large buffer.
func (b *Backend) chunkFor(size int64) int {
	if size >= 0 && size < int64(b.chunkSize) {
		return roundUpChunk(int(size) + 1)
	}
	return b.chunkSize
}

// copyBufferSize is the size of the buffer that moves bytes from the
// caller's reader to the writer: at most 1 MiB, and no more than the
// object when its size is known.
func copyBufferSize(chunk int, size int64) int {
	n := min(chunk, 1<<20)
	if size >= 0 && size+1 < int64(n) {
		n = int(size) + 1
	}
	return max(n, 512)
}
