package minio

import (
	"context"
	"fmt"
	"net/http"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var (
	_ backend.Copier   = (*Driver)(nil)
	_ backend.Composer = (*Driver)(nil)
)

// CopyObject copies src whole with one CopyObject request.
func (u uploader) CopyObject(ctx context.Context, p *s3core.Plan, src s3core.CopySource, replace bool) (backend.ObjectInfo, error) {
	dopts := minio.CopyDestOptions{Bucket: u.d.bucket, Object: p.Key}
	if replace {
		o := p.Opts
		dopts.ReplaceMetadata = true
		dopts.UserMetadata = encodeMetadata(o.Metadata)
		dopts.ContentType = o.ContentType
		dopts.CacheControl = o.CacheControl
		dopts.ContentDisposition = o.ContentDisposition
		dopts.ContentEncoding = o.ContentEncoding
		dopts.ContentLanguage = o.ContentLanguage
	}
	up, err := u.d.client.CopyObject(ctx, dopts, minio.CopySrcOptions{Bucket: u.d.bucket, Object: src.Key, MatchETag: src.ETag})
	if err != nil {
		return backend.ObjectInfo{}, u.d.copyErr(p, src.Key, err)
	}
	return backend.ObjectInfo{ETag: up.ETag, LastModified: up.LastModified, Checksum: s3core.Checksum(up.ChecksumCRC32C, up.ChecksumMode)}, nil
}

// CopyPart copies src (or its range) into a part with UploadPartCopy.
func (u uploader) CopyPart(ctx context.Context, p *s3core.Plan, id string, num int, src s3core.CopySource) (s3core.Part, error) {
	hdr := map[string]string{"x-amz-copy-source-if-match": src.ETag}
	off, length := src.Offset, src.Length
	part, err := u.d.core.CopyObjectPart(ctx, u.d.bucket, src.Key, u.d.bucket, p.Key, id, num, off, length, hdr)
	if err != nil {
		return s3core.Part{}, u.d.copyErr(p, src.Key, fmt.Errorf("part %d: %w", num, err))
	}
	return s3core.Part{Num: num, ETag: part.ETag}, nil
}

// copyErr maps the error of a copy request: a missing object is the
// source (the destination need not exist); a failed precondition is the
// source's ETag (x-amz-copy-source-if-match), so the source changed; a
// server without part copies is ErrNotSupported (the client streams
// instead); the rest is the destination's.
func (d *Driver) copyErr(p *s3core.Plan, src string, err error) error {
	er := minio.ToErrorResponse(err)
	switch {
	case er.Code == "NoSuchKey" || er.StatusCode == http.StatusNotFound && er.Code != "NoSuchBucket" && er.Code != "NoSuchUpload":
		return d.err(p.Op, src, err)
	case er.Code == "PreconditionFailed" || er.StatusCode == http.StatusPreconditionFailed:
		return backend.NewError(p.Op, src, nil, fmt.Errorf("the source changed while it was copied; copy it again: %w", err))
	case er.Code == "NotImplemented" || er.StatusCode == http.StatusNotImplemented:
		return backend.NewError(p.Op, p.Key, backend.ErrNotSupported,
			fmt.Errorf("the server refused a part copy (UploadPartCopy): %w", err))
	}
	return d.err(p.Op, p.Key, err)
}
