package gocloud

import (
	"cmp"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

// Put on Azure of a known size up to one block, or up to 256 MiB from an
// io.ReaderAt, is one Put Blob (putAzure). Otherwise Put uploads r with blob.Bucket.Upload. With
// opts.IfNotExist the write
// is create-only (blob.WriterOptions.IfNotExist), and a refusal is
// ErrExist.
//
// gocloud's contract for abandoning a write is to cancel the writer's
// context before it is closed: the driver then never commits the blob (on
// Azure, the blocks staged so far are never committed and expire). The
// reader Put hands to gocloud does exactly that: when the caller's reader
// fails, the declared size is not met, or ctx ends, it cancels the write's
// context before it returns the error, so the error reaches the driver
// only after the write can no longer be committed.
//
// Upload, rather than Write calls on a blob.Writer, lets drivers that
// read the source themselves (Azure's UploadStream, memblob) do so without
// a pipe; gocloud v0.47's azureblob writer dereferences a nil pipe in
// Close when an upload fed through Write fails.
//
// With opts.IfMatch on Azure, the upload's access conditions carry
// If-Match: Azure's UploadStream stages blocks and checks the condition
// atomically as it commits the block list, so a changed or missing blob
// refuses the commit (412 ConditionNotMet, or 404): ErrPreconditionFailed,
// and nothing is published. gocloud has no portable If-Match on writes,
// so on every other gocloud driver a put with IfMatch is ErrNotSupported
// and writes nothing.
//
// The HTTP attributes are gocloud's WriterOptions fields. On Azure, Put
// also gives every blob its Content-MD5, atomically with its commit: the
// reader it hands to the SDK computes the MD5 of the bytes as the SDK
// reads them, and when the source ends cleanly it stores the digest in
// the HTTPHeaders of the upload's options (reached in BeforeWrite). The
// SDK's UploadStream reads the source to its end before it commits, in
// the same goroutine, and only then sends those headers: with the block
// list (Put Block List, x-ms-blob-content-md5), or with the one request
// of a blob smaller than a block (Put Blob). So no blob it commits lacks
// the MD5, whatever its size, known or not. Azure does not check that
// property against the blocks (each block travels on its own); a block
// damaged on the way is found by the first full read (ErrCorrupt).
// memblob and fileblob compute an MD5 of every blob themselves.
//
// The returned ObjectInfo is built from what Put knows (gocloud gives no
// attributes back from a write): key, size, content type, metadata, HTTP
// attributes, on Azure the Content-MD5 it committed, and the client's
// clock as LastModified; ETag is empty (Stat has it).
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := b.guard.Put(ctx, key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if c, azure := azureContainer(b.bucket); azure && putsInOneRequest(r, opts.Size, cmp.Or(b.opts.bufferSize, defaultBlockSize)) {
		return b.putAzure(ctx, c, key, r, opts)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := &abortingReader{
		r:      backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size)),
		cancel: cancel,
	}
	contentType := opts.ContentType
	noIfMatch := false // IfMatch was asked for on a driver that cannot send it
	err = b.bucket.Upload(wctx, b.opts.keys.Encode(key), src, &blob.WriterOptions{
		ContentType:                 contentType,
		DisableContentTypeDetection: true,
		Metadata:                    opts.Metadata,
		CacheControl:                opts.CacheControl,
		ContentDisposition:          opts.ContentDisposition,
		ContentEncoding:             opts.ContentEncoding,
		ContentLanguage:             opts.ContentLanguage,
		IfNotExist:                  opts.IfNotExist,
		BufferSize:                  b.opts.bufferSize,
		MaxConcurrency:              b.opts.concurrency,
		BeforeWrite: func(as func(any) bool) error {
			// gocloud rewrites the content type with mime.FormatMediaType;
			// Azure can store it exactly as given.
			var az *azblob.UploadStreamOptions
			isAzure := as(&az)
			if isAzure {
				if az.HTTPHeaders == nil {
					az.HTTPHeaders = &azblobblob.HTTPHeaders{}
				}
				az.HTTPHeaders.BlobContentType = &contentType
				// The blob's Content-MD5, set with its commit (see Put).
				headers := az.HTTPHeaders
				src.sum, src.atEOF = md5.New(), func(sum []byte) { headers.BlobContentMD5 = sum }
			}
			if opts.IfMatch != "" {
				if !isAzure {
					noIfMatch = true
					return backend.NewError("put", key, backend.ErrNotSupported,
						errors.New("IfMatch: gocloud offers conditional writes on Azure only"))
				}
				if az.AccessConditions == nil {
					az.AccessConditions = &azblob.AccessConditions{}
				}
				if az.AccessConditions.ModifiedAccessConditions == nil {
					az.AccessConditions.ModifiedAccessConditions = &azblobblob.ModifiedAccessConditions{}
				}
				tag := azcore.ETag(backend.QuoteETag(opts.IfMatch))
				az.AccessConditions.ModifiedAccessConditions.IfMatch = &tag
			}
			return nil
		},
	})
	if src.err != nil {
		// The caller's reader (or the size check, or ctx): its error keeps
		// its own kind, it is no failure of the store.
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, src.err)
	}
	if err == nil {
		err = ctx.Err() // cancelled as the upload ended: report it, as promised
	}
	if noIfMatch {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrNotSupported,
			errors.New("IfMatch: gocloud offers conditional writes on Azure only"))
	}
	if err != nil {
		return backend.ObjectInfo{}, putError(key, opts, err)
	}
	info := backend.ObjectInfo{
		Key:            key,
		Size:           src.n,
		LastModified:   time.Now().UTC(),
		ContentType:    opts.ContentType,
		Metadata:       opts.Metadata,
		HTTPAttributes: opts.HTTPAttributes,
	}
	if src.atEOF != nil {
		info.Checksum = md5Checksum(src.md5) // Azure: the Content-MD5 committed
	}
	return info, nil
}

// abortingReader cancels the write's context before it returns an error
// of the source, so that the driver cannot commit what it read so far.
// With sum and atEOF (Azure), it also hashes the bytes, and when the
// source ends cleanly (io.EOF: every byte delivered, the declared size
// met, ctx live) it hands the digest to atEOF before the driver sees that
// EOF. It is read by one goroutine at a time (the driver's), and its
// fields are read by Put only after Upload returned.
type abortingReader struct {
	r      io.Reader
	cancel context.CancelFunc
	sum    hash.Hash        // set with atEOF by BeforeWrite on Azure, before the first Read
	atEOF  func(sum []byte) // called once, with the digest, at a clean end
	n      int64
	md5    []byte // the digest, once the source ended cleanly
	err    error
}

func (a *abortingReader) Read(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n, err := a.r.Read(p)
	a.n += int64(n)
	if a.sum != nil {
		a.sum.Write(p[:n])
	}
	switch {
	case err == io.EOF && a.sum != nil && a.md5 == nil:
		a.md5 = a.sum.Sum(nil)
		a.atEOF(a.md5)
	case err != nil && err != io.EOF:
		a.cancel()
		a.err = err
	}
	return n, err
}

// putError classifies an error of the write. gocloud reports a refused
// create-only write as FailedPrecondition (Azure: 409 BlobAlreadyExists or
// 412 ConditionNotMet; memblob: its own error): that is ErrExist. A store
// refusing bytes that do not match the MD5 sent with them is ErrCorrupt.
func putError(key string, opts backend.PutOptions, err error) error {
	if isMD5Refusal(err) {
		return backend.NewError("put", key, backend.ErrCorrupt, err)
	}
	if opts.IfNotExist && isCode(err, gcerrors.FailedPrecondition) {
		return backend.NewError("put", key, backend.ErrExist, err)
	}
	if opts.IfMatch != "" && (isCode(err, gcerrors.FailedPrecondition) || isCode(err, gcerrors.NotFound)) {
		return backend.NewError("put", key, backend.ErrPreconditionFailed, fmt.Errorf("IfMatch %q: %w", opts.IfMatch, err))
	}
	if errors.Is(err, context.Canceled) {
		return backend.NewError("put", key, nil, err)
	}
	return wrap("put", key, err)
}

// isMD5Refusal reports whether err is Azure refusing a request whose body
// does not match the MD5 sent with it: 400 with the error code Md5Mismatch
// (Azure), or InvalidOperation "Provided contentMD5 doesn't match."
// (Azurite, for the MD5 of a Put Blob).
func isMD5Refusal(err error) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		return false
	}
	return re.ErrorCode == string(bloberror.MD5Mismatch) ||
		re.ErrorCode == string(bloberror.InvalidOperation) && strings.Contains(strings.ToLower(re.Error()), "md5")
}
