package minio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var _ backend.Copier = (*Driver)(nil)

// copyPartSize is the largest object one CopyObject request copies, and
// the size of the parts of a larger one: S3's limit on both, 5 GiB. A
// variable so that tests can cross it with small objects.
var copyPartSize int64 = MaxPartSize

// Copy copies src to dst inside the server. It first stats src (one
// HEAD: its size, its ETag, and its attributes, which ErrNotFound then
// names src for), then:
//
//   - an object of up to 5 GiB, not create-only: one CopyObject request,
//     with the source's attributes (metadata directive COPY) or the new
//     ones (REPLACE);
//   - a larger object, or a create-only copy: a multipart upload whose
//     parts are copies of ranges of src (UploadPartCopy, 5 GiB each, at
//     most Concurrency at a time), published by its completion, which
//     carries If-None-Match: * for IfNotExist (the initiation carries it
//     too), as Put does. A failure aborts the upload.
//
// Either way dst appears whole or not at all. Every request carries the
// source's ETag as x-amz-copy-source-if-match, so a source replaced
// during the copy fails it instead of mixing two versions. Unless
// Config.SkipConflictCheck is set, dst is checked for keys that nest with
// it, as Put checks.
//
// The attributes are the content type, the metadata and the HTTP
// attributes together: COPY keeps the source's, REPLACE sets the given
// ones (an empty HTTP attribute is then cleared). A CopyObject keeps the
// source's full-object checksum (MinIO copies it and checks the bytes
// against it as it writes them; a composite one it recomputes as a full
// one). A copy in parts has no checksum: MinIO refuses part copies into
// an upload that declares a checksum algorithm (it wants the checksum of
// every part from the client, which never sees the bytes), so reads of
// such a copy are not verified.
func (d *Driver) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	const op = "copy"
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	si, err := d.stat(ctx, op, src)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if d.conflict && dst != src {
		if err := d.checkConflicts(ctx, dst); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	info := backend.ObjectInfo{Key: dst, Size: si.Size, ContentType: si.ContentType, Metadata: si.Metadata, HTTPAttributes: si.HTTPAttributes}
	if opts.ReplaceMetadata {
		info.ContentType, info.Metadata, info.HTTPAttributes = opts.ContentType, opts.Metadata, opts.HTTPAttributes
	}
	etag := `"` + strings.Trim(si.ETag, `"`) + `"`
	if !opts.IfNotExist && si.Size <= copyPartSize {
		dopts := minio.CopyDestOptions{Bucket: d.bucket, Object: dst}
		if opts.ReplaceMetadata {
			dopts.ReplaceMetadata = true
			dopts.UserMetadata = encodeMetadata(info.Metadata)
			dopts.ContentType = info.ContentType
			dopts.CacheControl = info.CacheControl
			dopts.ContentDisposition = info.ContentDisposition
			dopts.ContentEncoding = info.ContentEncoding
			dopts.ContentLanguage = info.ContentLanguage
		}
		up, err := d.client.CopyObject(ctx, dopts, minio.CopySrcOptions{Bucket: d.bucket, Object: src, MatchETag: etag})
		if err != nil {
			return backend.ObjectInfo{}, d.copyErr(dst, src, err)
		}
		info.ETag, info.LastModified = up.ETag, up.LastModified
		info.Checksum = s3core.Checksum(up.ChecksumCRC32C, up.ChecksumMode)
		return info, nil
	}
	return d.copyMultipart(ctx, dst, src, etag, info, opts.IfNotExist)
}

// copyMultipart copies src (info.Size bytes, ETag etag) to dst as a
// multipart upload of part copies.
func (d *Driver) copyMultipart(ctx context.Context, dst, src, etag string, info backend.ObjectInfo, ifNotExist bool) (_ backend.ObjectInfo, err error) {
	const op = "copy"
	partSize := max(copyPartSize, (info.Size+MaxParts-1)/MaxParts)
	p := putPlan{key: dst, ifNotExist: ifNotExist, contentType: info.ContentType, attrs: info.HTTPAttributes, meta: encodeMetadata(info.Metadata)}
	id, err := d.core.NewMultipartUpload(ctx, d.bucket, dst, p.options(nil))
	if err != nil {
		return backend.ObjectInfo{}, d.err(op, dst, err) // 412: ErrExist, dst exists
	}
	completed := false
	defer func() {
		if !completed {
			if aerr := d.abort(ctx, dst, id); aerr != nil {
				var be *backend.Error
				if errors.As(err, &be) {
					be.Err = errors.Join(be.Err, aerr)
				}
			}
		}
	}()
	type span struct {
		num         int
		off, length int64
	}
	var spans []span
	if info.Size <= partSize {
		spans = []span{{1, 0, -1}} // the whole object, also an empty one (a range cannot be empty)
	} else {
		for off, num := int64(0), 1; off < info.Size; off, num = off+partSize, num+1 {
			spans = append(spans, span{num, off, min(partSize, info.Size-off)})
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		parts    []minio.CompletePart
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, max(d.conc, 1))
	)
	hdr := map[string]string{"x-amz-copy-source-if-match": etag}
	for _, s := range spans {
		sem <- struct{}{}
		if cctx.Err() != nil {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			part, err := d.core.CopyObjectPart(cctx, d.bucket, src, d.bucket, dst, id, s.num, s.off, s.length, hdr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = d.copyErr(dst, src, fmt.Errorf("part %d: %w", s.num, err))
					cancel()
				}
				return
			}
			parts = append(parts, minio.CompletePart{PartNumber: s.num, ETag: part.ETag})
		})
	}
	wg.Wait()
	if firstErr != nil {
		return backend.ObjectInfo{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, d.err(op, dst, err)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	var copts minio.PutObjectOptions
	if ifNotExist {
		copts.SetMatchETagExcept("*")
	}
	up, err := d.core.CompleteMultipartUpload(ctx, d.bucket, dst, id, parts, copts)
	if err != nil {
		return backend.ObjectInfo{}, d.err(op, dst, err) // 412: ErrExist, the failure of IfNotExist
	}
	completed = true
	info.ETag, info.LastModified = up.ETag, up.LastModified
	return info, nil
}

// copyErr maps the error of a copy request: a missing object is the
// source (the destination need not exist); a failed precondition is the
// source's ETag (x-amz-copy-source-if-match), so the source changed; the
// rest is dst's.
func (d *Driver) copyErr(dst, src string, err error) error {
	er := minio.ToErrorResponse(err)
	switch {
	case er.Code == "NoSuchKey" || er.StatusCode == http.StatusNotFound && er.Code != "NoSuchBucket" && er.Code != "NoSuchUpload":
		return d.err("copy", src, err)
	case er.Code == "PreconditionFailed" || er.StatusCode == http.StatusPreconditionFailed:
		return backend.NewError("copy", src, nil, fmt.Errorf("the source changed while it was copied; copy it again: %w", err))
	}
	return d.err("copy", dst, err)
}
