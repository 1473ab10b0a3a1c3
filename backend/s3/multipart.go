package s3

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// CreateUpload starts a multipart upload whose object gets the CRC32C of
// its whole content (s3core, checksum.go).
func (u uploader) CreateUpload(ctx context.Context, p *s3core.Plan) (string, error) {
	o := p.Opts
	in := &s3.CreateMultipartUploadInput{
		Bucket:             aws.String(u.d.bucket),
		Key:                aws.String(p.Key),
		ContentType:        aws.String(o.ContentType),
		Metadata:           s3core.EncodeMetadata(o.Metadata),
		CacheControl:       optional(o.CacheControl),
		ContentDisposition: optional(o.ContentDisposition),
		ContentEncoding:    optional(o.ContentEncoding),
		ContentLanguage:    optional(o.ContentLanguage),
	}
	if p.Checksummed() {
		in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject
	}
	created, err := u.d.client.CreateMultipartUpload(ctx, in, u.d.callOpts...)
	if err != nil {
		return "", wrapErr(p.Op, p.Key, err)
	}
	return aws.ToString(created.UploadId), nil
}

// UploadPart sends one part, its bytes checked by the server (payload.go),
// with its CRC32C.
func (u uploader) UploadPart(ctx context.Context, p *s3core.Plan, id string, part s3core.Part, data []byte) (s3core.Part, error) {
	body := s3core.NewBody(data) // data is the engine's buffer again once this returns
	defer body.Disable()
	out, err := u.d.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:         aws.String(u.d.bucket),
		Key:            aws.String(p.Key),
		UploadId:       aws.String(id),
		PartNumber:     aws.Int32(int32(part.Num)),
		Body:           body,
		ContentLength:  aws.Int64(int64(len(data))),
		ContentMD5:     u.d.contentMD5(data), // see payload.go
		ChecksumCRC32C: aws.String(part.CRC32C),
	}, u.d.callOpts...)
	if err != nil {
		return part, wrapErr(p.Op, p.Key, fmt.Errorf("part %d: %w", part.Num, err))
	}
	part.ETag = aws.ToString(out.ETag)
	return part, nil
}

// UploadSection sends one part straight from the caller's reader: the
// hashes its request needs (payload.go) and its CRC32C in one pass, then
// the bytes, which the SDK does not hash again.
func (u uploader) UploadSection(ctx context.Context, p *s3core.Plan, id string, num int, r *io.SectionReader) (s3core.Part, error) {
	part := s3core.Part{Num: num}
	h, err := u.d.hashSection(r)
	if err != nil {
		return part, backend.NewError(p.Op, p.Key, nil, fmt.Errorf("part %d: %w", num, err))
	}
	part.CRC32C = h.crc
	out, err := u.d.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:         aws.String(u.d.bucket),
		Key:            aws.String(p.Key),
		UploadId:       aws.String(id),
		PartNumber:     aws.Int32(int32(num)),
		Body:           r,
		ContentLength:  aws.Int64(r.Size()),
		ContentMD5:     h.md5,
		ChecksumCRC32C: aws.String(h.crc),
	}, h.opts...)
	if err != nil {
		return part, wrapErr(p.Op, p.Key, fmt.Errorf("part %d: %w", num, err))
	}
	part.ETag = aws.ToString(out.ETag)
	return part, nil
}

// CompleteUpload publishes the object, create-only when IfNotExist, and
// only over the version IfMatch names when it is set. It sends the CRC32C
// of the whole object, which the server checks against the one it
// combines from the parts' before it publishes the object.
func (u uploader) CompleteUpload(ctx context.Context, p *s3core.Plan, id string, parts []s3core.Part, sum backend.Checksum) (backend.ObjectInfo, error) {
	cps := make([]types.CompletedPart, len(parts))
	for i, part := range parts {
		cps[i] = types.CompletedPart{PartNumber: aws.Int32(int32(part.Num)), ETag: aws.String(part.ETag), ChecksumCRC32C: optional(part.CRC32C)}
	}
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.d.bucket),
		Key:             aws.String(p.Key),
		UploadId:        aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: cps},
	}
	if sum.Algorithm != "" {
		in.ChecksumCRC32C, in.ChecksumType = aws.String(s3core.EncodeChecksum(sum)), types.ChecksumTypeFullObject
	}
	if p.Opts.IfNotExist {
		in.IfNoneMatch = aws.String("*")
	}
	if p.Opts.IfMatch != "" {
		in.IfMatch = aws.String(backend.QuoteETag(p.Opts.IfMatch))
	}
	out, err := u.d.client.CompleteMultipartUpload(ctx, in, u.d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr(p.Op, p.Key, err)
	}
	return backend.ObjectInfo{LastModified: serverTime(out.ResultMetadata), ETag: cleanETag(out.ETag)}, nil
}

// AbortUpload is one round: AbortMultipartUpload, then ListParts to see
// that the upload is gone (a cancelled part request can still be
// processed by the server after the abort and bring the upload back, as
// AWS documents and versitygw shows).
func (u uploader) AbortUpload(ctx context.Context, key, id string) error {
	_, err := u.d.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(u.d.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(id),
	}, u.d.callOpts...)
	if err != nil && kindOf(err) != backend.ErrNotFound {
		return wrapErr("put", key, err)
	}
	_, err = u.d.client.ListParts(ctx, &s3.ListPartsInput{
		Bucket:   aws.String(u.d.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(id),
		MaxParts: aws.Int32(1),
	}, u.d.callOpts...)
	switch {
	case err != nil && kindOf(err) == backend.ErrNotFound:
		return nil
	case err == nil:
		return s3core.ErrStillListed
	}
	return wrapErr("put", key, err)
}

func (u uploader) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	return u.d.Stat(ctx, key)
}
