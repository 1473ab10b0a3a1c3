package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// abortTimeout bounds the abort that cleans up after a failed upload,
// retries included; it runs on a context detached from the caller's,
// which is typically the one that was cancelled.
const abortTimeout = time.Minute

// putMultipart sends an object of more than one part. first holds the
// first part (PartSize bytes) and pr delivers the rest.
//
// Memory: the caller's goroutine fills one part buffer at a time, and a
// goroutine per part sends it; a buffer is reused once its part is sent.
// At most Concurrency buffers exist, so an upload holds at most
// PartSize × Concurrency bytes, whatever the object's size.
//
// Failure: the first error (the reader's, a part's, ctx's, or too many
// parts) stops the reading, waits for the parts in flight, and aborts the
// upload, so no incomplete multipart upload is left behind. The object is
// published only by a successful CompleteMultipartUpload.
func (d *Driver) putMultipart(ctx context.Context, key string, pr *partReader, first []byte, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if opts.IfNotExist {
		// Fail before sending gigabytes when the key is taken. The
		// If-None-Match on the completion is what makes the put
		// create-only; this check only saves the upload.
		if _, err := d.Stat(ctx, key); err == nil {
			d.bufs.put(first)
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrExist, nil)
		} else if !errors.Is(err, backend.ErrNotFound) {
			d.bufs.put(first)
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
		}
	}
	if opts.IfMatch != "" {
		// The same for a compare-and-swap: the If-Match on the
		// completion decides, this only saves a doomed upload.
		st, err := d.Stat(ctx, key)
		switch {
		case err == nil && !backend.ETagsEqual(st.ETag, opts.IfMatch):
			d.bufs.put(first)
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed,
				fmt.Errorf("IfMatch %q: the object's ETag is %q", opts.IfMatch, st.ETag))
		case errors.Is(err, backend.ErrNotFound):
			d.bufs.put(first)
			return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed,
				fmt.Errorf("IfMatch %q: the key holds no object", opts.IfMatch))
		case err != nil:
			d.bufs.put(first)
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
		}
	}
	created, err := d.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:             aws.String(d.bucket),
		Key:                aws.String(key),
		ContentType:        aws.String(opts.ContentType),
		Metadata:           s3core.EncodeMetadata(opts.Metadata),
		CacheControl:       optional(opts.CacheControl),
		ContentDisposition: optional(opts.ContentDisposition),
		ContentEncoding:    optional(opts.ContentEncoding),
		ContentLanguage:    optional(opts.ContentLanguage),
		// The object gets the CRC32C of its whole content (s3core).
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
		ChecksumType:      types.ChecksumTypeFullObject,
	}, d.callOpts...)
	if err != nil {
		d.bufs.put(first)
		return backend.ObjectInfo{}, wrapErr("put", key, err)
	}
	up := &multipartUpload{d: d, key: key, id: aws.ToString(created.UploadId), whole: backend.NewHash(backend.CRC32C)}
	size, err := up.sendParts(ctx, pr, first)
	if err == nil {
		var info backend.ObjectInfo
		if info, err = up.complete(ctx, opts); err == nil {
			info.Size = size
			return info, nil
		}
	}
	if aerr := up.abort(ctx); aerr != nil {
		const hint = "a bucket lifecycle rule AbortIncompleteMultipartUpload removes leftovers"
		if be := (*backend.Error)(nil); errors.As(err, &be) && be.Op == "put" && be.Key == key {
			// One error naming the put once, with the abort's failure.
			be.Err = fmt.Errorf("%w (and aborting the incomplete upload %s failed: %v; %s)", be.Err, up.id, aerr, hint)
		} else {
			err = backend.NewError("put", key, kindOf(err),
				fmt.Errorf("%w (and aborting the incomplete upload %s failed: %v; %s)", err, up.id, aerr, hint))
		}
	}
	return backend.ObjectInfo{}, err
}

// multipartUpload is one upload in progress.
type multipartUpload struct {
	d   *Driver
	key string
	id  string
	// whole is the CRC32C of the parts sent so far, in order, for an
	// upload of the FULL_OBJECT CRC32C type (Put's); nil for uploads of
	// part copies, which have no checksum (copy.go).
	whole hash.Hash

	mu    sync.Mutex
	parts []types.CompletedPart
}

// sendParts sends first and then the parts that pr delivers, and returns
// the object's size. On error, the parts in flight have finished (or
// failed) when it returns.
func (u *multipartUpload) sendParts(ctx context.Context, pr *partReader, first []byte) (int64, error) {
	d := u.d
	// stop ends the reading at the first failure. The parts in flight run
	// on ctx and are not cut short by another's failure: a part request
	// cancelled midway can still be processed by the server after the
	// abort, and bring the upload back (versitygw does).
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	// free holds the buffers whose parts are sent; allocated counts the
	// buffers in existence (first included), never more than conc.
	free := make(chan []byte, d.conc)
	allocated := 1
	nextBuffer := func() []byte {
		select {
		case b := <-free:
			return b
		default:
		}
		if allocated < d.conc {
			allocated++
			return d.bufs.get()
		}
		select {
		case b := <-free:
			return b
		case <-stop.Done():
			return nil
		}
	}
	// The reader stops at the first failure of a part, too.
	pr.r = backend.ContextReader(stop, pr.r)

	var size int64
	data, more := first, true
	for num := int32(1); ; num++ {
		size += int64(len(data))
		u.whole.Write(data) // before the buffer can be reused
		wg.Add(1)
		go func(num int32, data []byte) {
			defer wg.Done()
			err := u.sendPart(ctx, num, data)
			free <- data[:cap(data)] // never blocks: at most conc buffers exist
			if err != nil {
				fail(err)
			}
		}(num, data)
		if !more {
			break
		}
		if int(num) == d.maxParts {
			fail(backend.NewError("put", u.key, backend.ErrTooLarge,
				fmt.Errorf("the object needs more than %d parts of %d bytes; raise the part size (part_size)", d.maxParts, d.partSize)))
			break
		}
		buf := nextBuffer()
		if buf == nil {
			break // a part failed, or ctx ended
		}
		n, m, err := pr.fill(buf)
		if err != nil {
			free <- buf
			fail(readErr(u.key, err))
			break
		}
		data, more = buf[:n], m
	}
	wg.Wait()
	close(free)
	for b := range free {
		d.bufs.put(b)
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = backend.NewError("put", u.key, nil, ctx.Err())
	}
	return size, firstErr
}

// sendPart sends one part, its bytes checked by the server (payload.go),
// with its CRC32C, which the completion lists too.
func (u *multipartUpload) sendPart(ctx context.Context, num int32, data []byte) error {
	crc := aws.String(s3core.EncodeChecksum(s3core.CRC32C(data)))
	out, err := u.d.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:         aws.String(u.d.bucket),
		Key:            aws.String(u.key),
		UploadId:       aws.String(u.id),
		PartNumber:     aws.Int32(num),
		Body:           bytes.NewReader(data),
		ContentLength:  aws.Int64(int64(len(data))),
		ContentMD5:     u.d.contentMD5(data), // see payload.go
		ChecksumCRC32C: crc,
	}, u.d.callOpts...)
	if err != nil {
		return backend.NewError("put", u.key, kindOf(err), fmt.Errorf("part %d: %w", num, err))
	}
	u.mu.Lock()
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num), ChecksumCRC32C: crc})
	u.mu.Unlock()
	return nil
}

// complete publishes the object, create-only when opts.IfNotExist, and
// only over the version opts.IfMatch names when it is set. It sends the
// CRC32C of the whole object, which the server checks against the one it
// combines from the parts' before it publishes the object.
func (u *multipartUpload) complete(ctx context.Context, opts backend.PutOptions) (backend.ObjectInfo, error) {
	parts := slices.SortedFunc(slices.Values(u.parts), func(a, b types.CompletedPart) int {
		return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber))
	})
	sum := backend.Checksum{Algorithm: backend.CRC32C, Value: u.whole.Sum(nil)}
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.d.bucket),
		Key:             aws.String(u.key),
		UploadId:        aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		ChecksumCRC32C:  aws.String(s3core.EncodeChecksum(sum)),
		ChecksumType:    types.ChecksumTypeFullObject,
	}
	if opts.IfNotExist {
		in.IfNoneMatch = aws.String("*")
	}
	if opts.IfMatch != "" {
		in.IfMatch = aws.String(backend.QuoteETag(opts.IfMatch))
	}
	out, err := u.d.client.CompleteMultipartUpload(ctx, in, u.d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr("put", u.key, err)
	}
	return backend.ObjectInfo{
		Key:            u.key,
		LastModified:   serverTime(out.ResultMetadata),
		ETag:           cleanETag(out.ETag),
		ContentType:    opts.ContentType,
		Metadata:       opts.Metadata,
		HTTPAttributes: opts.HTTPAttributes,
		Checksum:       sum,
	}, nil
}

// abort removes the upload and its parts. It runs on a context detached
// from ctx (which may be the cancelled one), bounded by abortTimeout.
//
// A part request that was cancelled (the caller's ctx ended) may still be
// processed by the server after the abort and bring the upload back, as
// AWS documents ("you might need to abort a multipart upload multiple
// times") and versitygw shows. So the abort is checked with ListParts,
// and repeated while the upload is still there. An upload the server no
// longer knows (NoSuchUpload) is gone.
//
// Up to abortTries rounds run before abort returns. When the last one
// failed for a reason that can pass (the server could not be reached or
// was busy, as when it died with the upload and is restarting, or the
// upload was still listed), the rounds go on with backoff on a goroutine
// of the driver until abortTimeout has passed since the first: Put
// returns meanwhile (the failover layer can go on without waiting for
// this server), its error says that the abort goes on, and Close stops
// it.
func (u *multipartUpload) abort(ctx context.Context) error {
	deadline := time.Now().Add(abortTimeout)
	actx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	var err error
	for try := range abortTries {
		if try > 0 {
			select {
			case <-time.After(time.Duration(try) * 100 * time.Millisecond):
			case <-actx.Done():
				return actx.Err()
			}
		}
		if err = u.abortOnce(actx); err == nil {
			return nil
		}
	}
	if transientAbort(err) && u.d.bg.Go(func(stop context.Context) { u.retryAbort(stop, deadline) }) {
		return fmt.Errorf("%w; the abort is retried in the background for up to %v", err, abortTimeout)
	}
	return err
}

// abortTries is the number of abort rounds before abort returns.
const abortTries = 5

// Backoff of the abort rounds that go on in the background.
const (
	abortFirstDelay = 200 * time.Millisecond
	abortMaxDelay   = 2 * time.Second
)

// retryAbort goes on with abort rounds until one succeeds or fails for
// good, deadline passes, or stop ends (Close).
func (u *multipartUpload) retryAbort(stop context.Context, deadline time.Time) {
	ctx, cancel := context.WithDeadline(stop, deadline)
	defer cancel()
	timer := time.NewTimer(abortFirstDelay)
	defer timer.Stop()
	delay := abortFirstDelay
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if err := u.abortOnce(ctx); err == nil || !transientAbort(err) {
			return
		}
		delay = min(2*delay, abortMaxDelay)
		timer.Reset(delay)
	}
}

// errStillListed: the upload was still there after an abort.
var errStillListed = errors.New("the upload is still listed after the abort")

// abortOnce is one round: AbortMultipartUpload, then ListParts to see
// that the upload is gone.
func (u *multipartUpload) abortOnce(ctx context.Context) error {
	_, err := u.d.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(u.d.bucket),
		Key:      aws.String(u.key),
		UploadId: aws.String(u.id),
	}, u.d.callOpts...)
	if err != nil && kindOf(err) != backend.ErrNotFound {
		return err
	}
	_, err = u.d.client.ListParts(ctx, &s3.ListPartsInput{
		Bucket:   aws.String(u.d.bucket),
		Key:      aws.String(u.key),
		UploadId: aws.String(u.id),
		MaxParts: aws.Int32(1),
	}, u.d.callOpts...)
	switch {
	case err != nil && kindOf(err) == backend.ErrNotFound:
		return nil
	case err == nil:
		return errStillListed
	}
	return err
}

// transientAbort reports whether a failed abort round may succeed later.
func transientAbort(err error) bool {
	if errors.Is(err, errStillListed) {
		return true
	}
	k := kindOf(err)
	return errors.Is(k, backend.ErrUnavailable) || errors.Is(k, backend.ErrServerBusy)
}
