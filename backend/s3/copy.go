package s3

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var _ backend.Copier = (*Driver)(nil)

// copyPartSize is the largest object one CopyObject request copies, and
// the size of the parts of a larger one: S3's limit on both, 5 GiB. A
// variable so that tests can cross it with small objects.
var copyPartSize int64 = MaxPartSize

// Copy copies src to dst inside the server. It first stats src (one
// HeadObject: its size and ETag; a missing src is ErrNotFound naming it),
// then:
//
//   - an object of up to 5 GiB, not create-only: one CopyObject, with the
//     source's attributes (metadata directive COPY) or the new ones
//     (REPLACE);
//   - a larger object, or a create-only copy: a multipart upload whose
//     parts copy ranges of src (UploadPartCopy, 5 GiB each, at most
//     Concurrency at a time), published by CompleteMultipartUpload, which
//     carries If-None-Match: * for IfNotExist, as Put's does. A failure
//     aborts the upload.
//
// Either way dst appears whole or not at all. Every request carries the
// source's ETag (x-amz-copy-source-if-match), so a source replaced during
// the copy fails it instead of mixing two versions.
//
// The attributes are the content type, the metadata and the HTTP
// attributes together: COPY keeps the source's, REPLACE sets the given
// ones (an empty HTTP attribute is then cleared). A CopyObject keeps a
// full-object checksum of the source (MinIO copies it and checks the
// bytes against it; versitygw and AWS compute one by the source's
// algorithm). A copy in parts has no checksum: MinIO refuses part copies
// into an upload that declares a checksum algorithm, and versitygw (1.8)
// records the source's whole-object checksum as that of a part that
// copies a range of it; so reads of such a copy are not verified.
func (d *Driver) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	const op = "copy"
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError(op, dst, nil, err)
	}
	si, err := d.stat(ctx, op, src)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	info := backend.ObjectInfo{Key: dst, Size: si.Size, ContentType: si.ContentType, Metadata: si.Metadata, HTTPAttributes: si.HTTPAttributes}
	if opts.ReplaceMetadata {
		info.ContentType, info.Metadata, info.HTTPAttributes = opts.ContentType, opts.Metadata, opts.HTTPAttributes
	}
	source := copySource(d.bucket, src)
	etag := backend.QuoteETag(si.ETag)
	if !opts.IfNotExist && si.Size <= copyPartSize {
		in := &s3.CopyObjectInput{
			Bucket:            aws.String(d.bucket),
			Key:               aws.String(dst),
			CopySource:        aws.String(source),
			CopySourceIfMatch: aws.String(etag),
		}
		if opts.ReplaceMetadata {
			in.MetadataDirective = types.MetadataDirectiveReplace
			in.ContentType = aws.String(info.ContentType)
			in.Metadata = s3core.EncodeMetadata(info.Metadata)
			in.CacheControl = optional(info.CacheControl)
			in.ContentDisposition = optional(info.ContentDisposition)
			in.ContentEncoding = optional(info.ContentEncoding)
			in.ContentLanguage = optional(info.ContentLanguage)
		}
		out, err := d.client.CopyObject(ctx, in, d.callOpts...)
		if err != nil {
			return backend.ObjectInfo{}, copyErr(dst, src, err)
		}
		if r := out.CopyObjectResult; r != nil {
			info.ETag, info.LastModified = cleanETag(r.ETag), aws.ToTime(r.LastModified).UTC()
			info.Checksum = s3core.Checksum(aws.ToString(r.ChecksumCRC32C), string(r.ChecksumType))
		}
		return info, nil
	}
	return d.copyMultipart(ctx, dst, src, source, etag, info, opts.IfNotExist)
}

// copyMultipart copies src (info.Size bytes, ETag etag) to dst as a
// multipart upload of part copies.
func (d *Driver) copyMultipart(ctx context.Context, dst, src, source, etag string, info backend.ObjectInfo, ifNotExist bool) (backend.ObjectInfo, error) {
	const op = "copy"
	partSize := max(copyPartSize, (info.Size+MaxParts-1)/MaxParts)
	cin := &s3.CreateMultipartUploadInput{
		Bucket:             aws.String(d.bucket),
		Key:                aws.String(dst),
		ContentType:        aws.String(info.ContentType),
		Metadata:           s3core.EncodeMetadata(info.Metadata),
		CacheControl:       optional(info.CacheControl),
		ContentDisposition: optional(info.ContentDisposition),
		ContentEncoding:    optional(info.ContentEncoding),
		ContentLanguage:    optional(info.ContentLanguage),
	}
	created, err := d.client.CreateMultipartUpload(ctx, cin, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr(op, dst, err)
	}
	up := &multipartUpload{d: d, key: dst, id: aws.ToString(created.UploadId)}
	info, err = up.copyParts(ctx, src, source, etag, info, partSize, ifNotExist)
	if err == nil {
		return info, nil
	}
	if aerr := up.abort(ctx); aerr != nil {
		err = backend.NewError(op, dst, kindOf(err), fmt.Errorf(
			"%w (and aborting the incomplete upload %s failed: %v; a bucket lifecycle rule AbortIncompleteMultipartUpload removes leftovers)", err, up.id, aerr))
	}
	return backend.ObjectInfo{}, err
}

// copyParts sends the part copies and completes the upload.
func (u *multipartUpload) copyParts(ctx context.Context, src, source, etag string, info backend.ObjectInfo, partSize int64, ifNotExist bool) (backend.ObjectInfo, error) {
	d := u.d
	type span struct {
		num    int32
		first  int64
		length int64 // -1: the whole object (a range cannot be empty)
	}
	var spans []span
	if info.Size <= partSize {
		spans = []span{{1, 0, -1}}
	} else {
		for off, num := int64(0), int32(1); off < info.Size; off, num = off+partSize, num+1 {
			spans = append(spans, span{num, off, min(partSize, info.Size-off)})
		}
	}
	// Parts in flight run on ctx and are not cut short by another's
	// failure (see sendParts); stop only ends the sending of new ones.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		sem      = make(chan struct{}, max(d.conc, 1))
	)
	for _, s := range spans {
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
		}
		if stop.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			in := &s3.UploadPartCopyInput{
				Bucket:            aws.String(d.bucket),
				Key:               aws.String(u.key),
				UploadId:          aws.String(u.id),
				PartNumber:        aws.Int32(s.num),
				CopySource:        aws.String(source),
				CopySourceIfMatch: aws.String(etag),
			}
			if s.length >= 0 {
				in.CopySourceRange = aws.String("bytes=" + strconv.FormatInt(s.first, 10) + "-" + strconv.FormatInt(s.first+s.length-1, 10))
			}
			out, err := d.client.UploadPartCopy(ctx, in, d.callOpts...)
			if err != nil {
				errOnce.Do(func() { firstErr = copyErr(u.key, src, fmt.Errorf("part %d: %w", s.num, err)); cancel() })
				return
			}
			var et *string
			if out.CopyPartResult != nil {
				et = out.CopyPartResult.ETag
			}
			u.mu.Lock()
			u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(s.num), ETag: et})
			u.mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return backend.ObjectInfo{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("copy", u.key, nil, err)
	}
	parts := slices.SortedFunc(slices.Values(u.parts), func(a, b types.CompletedPart) int {
		return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber))
	})
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(d.bucket),
		Key:             aws.String(u.key),
		UploadId:        aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	if ifNotExist {
		in.IfNoneMatch = aws.String("*")
	}
	out, err := d.client.CompleteMultipartUpload(ctx, in, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr("copy", u.key, err) // PreconditionFailed: ErrExist
	}
	info.ETag, info.LastModified = cleanETag(out.ETag), serverTime(out.ResultMetadata)
	return info, nil
}

// copyErr maps the error of a copy request: a missing object is the
// source (the destination need not exist); a failed precondition is the
// source's ETag (x-amz-copy-source-if-match), so the source changed; the
// rest is dst's.
func copyErr(dst, src string, err error) error {
	a := answerOf(err)
	switch {
	case a.Code == "NoSuchKey" || a.Status == http.StatusNotFound && a.Code != "NoSuchBucket" && a.Code != "NoSuchUpload":
		return wrapErr("copy", src, err)
	case a.Code == "PreconditionFailed" || a.Status == http.StatusPreconditionFailed:
		return backend.NewError("copy", src, nil, fmt.Errorf("the source changed while it was copied; copy it again: %w", err))
	}
	return wrapErr("copy", dst, err)
}

// copySource is the x-amz-copy-source of key in bucket: "bucket/key",
// every byte but the unreserved ones and "/" percent-encoded, so that
// servers that decode it as a query value ("+" as a space) and those that
// decode it as a path agree.
func copySource(bucket, key string) string {
	const hex = "0123456789ABCDEF"
	s := bucket + "/" + key
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
