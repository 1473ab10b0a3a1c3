package gocloud

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

// copyBufferSize is the largest piece Put moves from the caller's reader
// to the writer at a time.
const copyBufferSize = 1 << 20

// Put streams r into a blob.Writer. With opts.IfNotExist the writer is
// create-only (blob.WriterOptions.IfNotExist), and a refusal is ErrExist.
//
// gocloud's contract for abandoning a write is to cancel the writer's
// context and then Close it: the driver then never commits the blob (on
// Azure, the blocks staged so far are never committed and expire). Put
// does exactly that whenever the caller's reader fails, the declared size
// is not met, or ctx ends, and closes the writer normally only after every
// byte was delivered.
//
// The returned ObjectInfo is built from what Put knows (gocloud gives no
// attributes back from a write): key, size, content type, metadata, and
// the client's clock as LastModified; ETag is empty (Stat has it).
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check("put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	contentType := opts.ContentType
	w, err := b.bucket.NewWriter(wctx, b.opts.keys.Encode(key), &blob.WriterOptions{
		ContentType:                 contentType,
		DisableContentTypeDetection: true,
		Metadata:                    opts.Metadata,
		IfNotExist:                  opts.IfNotExist,
		BufferSize:                  b.opts.bufferSize,
		MaxConcurrency:              b.opts.concurrency,
		BeforeWrite: func(as func(any) bool) error {
			// gocloud rewrites the content type with mime.FormatMediaType;
			// Azure can store it exactly as given.
			var az *azblob.UploadStreamOptions
			if as(&az) && az.HTTPHeaders != nil {
				az.HTTPHeaders.BlobContentType = &contentType
			}
			return nil
		},
	})
	if err != nil {
		return backend.ObjectInfo{}, wrap("put", key, err)
	}
	abort := func() {
		cancel()
		_ = w.Close() // returns the cancellation; the write is not committed
	}

	src := backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size))
	bufSize := copyBufferSize
	if opts.Size >= 0 && opts.Size+1 < int64(bufSize) {
		bufSize = int(opts.Size) + 1
	}
	buf := make([]byte, max(bufSize, 512))
	var size int64
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				abort()
				return backend.ObjectInfo{}, b.putError(key, opts, werr)
			}
			size += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			abort()
			// The caller's reader (or the size check, or ctx): its error
			// keeps its own kind, it is no failure of the store.
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, rerr)
		}
	}
	if err := ctx.Err(); err != nil {
		abort()
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	if err := w.Close(); err != nil {
		return backend.ObjectInfo{}, b.putError(key, opts, err)
	}
	return backend.ObjectInfo{
		Key:          key,
		Size:         size,
		LastModified: time.Now().UTC(),
		ContentType:  opts.ContentType,
		Metadata:     opts.Metadata,
	}, nil
}

// putError classifies an error of the write. gocloud reports a refused
// create-only write as FailedPrecondition (Azure: 409 BlobAlreadyExists or
// 412 ConditionNotMet; memblob: its own error): that is ErrExist.
func (b *Backend) putError(key string, opts backend.PutOptions, err error) error {
	if opts.IfNotExist && isCode(err, gcerrors.FailedPrecondition) {
		return backend.NewError("put", key, backend.ErrExist, err)
	}
	if errors.Is(err, context.Canceled) {
		return backend.NewError("put", key, nil, err)
	}
	return wrap("put", key, err)
}
