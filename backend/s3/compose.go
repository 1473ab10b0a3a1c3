package s3

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var _ backend.Composer = (*Driver)(nil)

// Compose concatenates srcs into dst on the server: one multipart upload
// whose part i+1 is a copy of srcs[i] (UploadPartCopy), published by
// CompleteMultipartUpload, so dst is atomic. Every request is one
// attempt; the failover layer of New retries the whole compose.
//
// S3 requires every part but the last to hold at least 5 MiB, a part copy
// to copy at most 5 GiB, and an upload to have at most 10,000 parts, so
// Compose returns ErrNotSupported, before any request, when a source but
// the last is smaller than MinPartSize or any is larger than MaxPartSize
// (by its listed Size), or there are more than MaxParts sources: the
// client then streams the bytes itself.
//
// Each source is pinned to one version: a source listed with an ETag
// keeps it; the others are stated first (one HeadObject each, at most
// Concurrency at a time), and a size that differs from the listed one
// fails the compose before the upload starts. Every part copy carries
// that ETag (x-amz-copy-source-if-match), so a source replaced during the
// compose fails it instead of mixing two versions. A failed part copy or
// completion aborts the upload (the abort of Put, multipart.go), and dst
// is left as it was. A server that refuses part copies (501
// NotImplemented) gives an error wrapping ErrNotSupported, after that
// abort, so the client falls back to streaming.
//
// Cost: one HEAD per source without an ETag, one CreateMultipartUpload,
// one UploadPartCopy per source (Concurrency at a time), one
// CompleteMultipartUpload; and on MinIO the key-conflict check of Put.
func (d *Driver) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	const op = "compose"
	if err := backend.ValidateKey(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	md, err := backend.NormalizeMetadata(op, dst, opts.Metadata)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	ct, err := backend.NormalizeContentType(op, dst, opts.ContentType)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	for _, s := range srcs {
		if err := backend.ValidateKey(op, s.Key); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	if err := composable(dst, srcs, d.maxParts); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError(op, dst, nil, err)
	}
	etags, err := d.sourceETags(ctx, srcs)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.checkKeyConflict(ctx, dst); err != nil {
		return backend.ObjectInfo{}, renameOp(err, op)
	}
	created, err := d.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:      aws.String(d.bucket),
		Key:         aws.String(dst),
		ContentType: aws.String(ct),
		Metadata:    s3core.EncodeMetadata(md),
	}, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr(op, dst, err)
	}
	up := &multipartUpload{d: d, key: dst, id: aws.ToString(created.UploadId)}
	info, err := up.composeParts(ctx, srcs, etags)
	if err == nil {
		info.ContentType, info.Metadata = ct, md
		return info, nil
	}
	if aerr := up.abort(ctx); aerr != nil {
		err = backend.NewError(op, dst, kindOf(err), fmt.Errorf(
			"%w (and aborting the incomplete upload %s failed: %v; a bucket lifecycle rule AbortIncompleteMultipartUpload removes leftovers)", err, up.id, aerr))
	}
	return backend.ObjectInfo{}, err
}

// composable returns an ErrNotSupported error when S3's multipart rules
// forbid composing srcs, by their listed sizes, in one upload of part
// copies.
func composable(dst string, srcs []backend.ObjectInfo, maxParts int) error {
	if len(srcs) == 0 || len(srcs) > maxParts {
		return backend.NewError("compose", dst, backend.ErrNotSupported,
			fmt.Errorf("a server-side compose takes 1 to %d sources, not %d", maxParts, len(srcs)))
	}
	for i, s := range srcs {
		switch {
		case s.Size > MaxPartSize:
			return backend.NewError("compose", dst, backend.ErrNotSupported, fmt.Errorf(
				"source %d (%q) has %d bytes; one part copy takes at most %d", i, s.Key, s.Size, int64(MaxPartSize)))
		case i < len(srcs)-1 && s.Size < MinPartSize:
			return backend.NewError("compose", dst, backend.ErrNotSupported, fmt.Errorf(
				"source %d (%q) has %d bytes; a server-side compose needs every source but the last to hold at least %d", i, s.Key, s.Size, MinPartSize))
		}
	}
	return nil
}

// sourceETags returns the quoted ETag of every source: the listed one, or
// that of a HeadObject, whose size must be the listed one.
func (d *Driver) sourceETags(ctx context.Context, srcs []backend.ObjectInfo) ([]string, error) {
	etags := make([]string, len(srcs))
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		sem      = make(chan struct{}, max(d.conc, 1))
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err; cancel() }) }
	for i, s := range srcs {
		if s.ETag != "" {
			etags[i] = backend.QuoteETag(s.ETag)
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
		}
		if stop.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			si, err := d.stat(stop, "compose", s.Key)
			switch {
			case err != nil:
				fail(err)
			case si.Size != s.Size:
				fail(backend.NewError("compose", s.Key, nil, fmt.Errorf(
					"the source holds %d bytes where it was listed with %d: it changed since it was listed", si.Size, s.Size)))
			default:
				etags[i] = backend.QuoteETag(si.ETag)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, backend.NewError("compose", srcs[0].Key, nil, err)
	}
	return etags, nil
}

// composeParts copies srcs[i] into part i+1, pinned to etags[i], at most
// Concurrency at a time, and completes the upload. Parts in flight run on
// ctx and are not cut short by another's failure (see sendParts); stop
// only ends the sending of new ones.
func (u *multipartUpload) composeParts(ctx context.Context, srcs []backend.ObjectInfo, etags []string) (backend.ObjectInfo, error) {
	const op = "compose"
	d := u.d
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		sem      = make(chan struct{}, max(d.conc, 1))
		total    int64
	)
	for i, s := range srcs {
		total += s.Size
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
		}
		if stop.Err() != nil {
			break
		}
		num := int32(i + 1)
		wg.Go(func() {
			defer func() { <-sem }()
			out, err := d.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
				Bucket:            aws.String(d.bucket),
				Key:               aws.String(u.key),
				UploadId:          aws.String(u.id),
				PartNumber:        aws.Int32(num),
				CopySource:        aws.String(copySource(d.bucket, s.Key)),
				CopySourceIfMatch: aws.String(etags[i]),
			}, d.callOpts...)
			if err != nil {
				errOnce.Do(func() { firstErr = partCopyErr(u.key, s.Key, num, err); cancel() })
				return
			}
			var et *string
			if out.CopyPartResult != nil {
				et = out.CopyPartResult.ETag
			}
			u.mu.Lock()
			u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: et})
			u.mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return backend.ObjectInfo{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError(op, u.key, nil, err)
	}
	parts := slices.SortedFunc(slices.Values(u.parts), func(a, b types.CompletedPart) int {
		return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber))
	})
	out, err := d.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(d.bucket),
		Key:             aws.String(u.key),
		UploadId:        aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr(op, u.key, err)
	}
	return backend.ObjectInfo{
		Key:          u.key,
		Size:         total,
		ETag:         cleanETag(out.ETag),
		LastModified: serverTime(out.ResultMetadata),
	}, nil
}

// partCopyErr maps the error of the part copy num of src into dst as
// copyErr does (a missing source is ErrNotFound naming it; a failed
// precondition means the source changed), under the compose's name; a
// server without part copies (NotImplemented) is ErrNotSupported, so that
// the client streams instead.
func partCopyErr(dst, src string, num int32, err error) error {
	if errors.Is(kindOf(err), backend.ErrNotSupported) {
		return backend.NewError("compose", dst, backend.ErrNotSupported,
			fmt.Errorf("the server refused a part copy (UploadPartCopy), so it cannot compose: %w", err))
	}
	return renameOp(copyErr(dst, src, fmt.Errorf("part %d: %w", num, err)), "compose")
}

// renameOp gives a *backend.Error made by a helper of another operation
// the name of op.
func renameOp(err error, op string) error {
	var be *backend.Error
	if errors.As(err, &be) {
		be.Op = op
	}
	return err
}
