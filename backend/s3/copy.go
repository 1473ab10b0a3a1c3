package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

var (
	_ backend.Copier   = (*Driver)(nil)
	_ backend.Composer = (*Driver)(nil)
)

// CopyObject copies src whole with one CopyObject.
func (u uploader) CopyObject(ctx context.Context, p *s3core.Plan, src s3core.CopySource, replace bool) (backend.ObjectInfo, error) {
	in := &s3.CopyObjectInput{
		Bucket:            aws.String(u.d.bucket),
		Key:               aws.String(p.Key),
		CopySource:        aws.String(copySource(u.d.bucket, src.Key)),
		CopySourceIfMatch: aws.String(src.ETag),
	}
	if replace {
		o := p.Opts
		in.MetadataDirective = types.MetadataDirectiveReplace
		in.ContentType = aws.String(o.ContentType)
		in.Metadata = s3core.EncodeMetadata(o.Metadata)
		in.CacheControl = optional(o.CacheControl)
		in.ContentDisposition = optional(o.ContentDisposition)
		in.ContentEncoding = optional(o.ContentEncoding)
		in.ContentLanguage = optional(o.ContentLanguage)
	}
	out, err := u.d.client.CopyObject(ctx, in, u.d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, copyErr(p, src.Key, err)
	}
	var info backend.ObjectInfo
	if r := out.CopyObjectResult; r != nil {
		info.ETag, info.LastModified = cleanETag(r.ETag), aws.ToTime(r.LastModified).UTC()
		info.Checksum = s3core.Checksum(aws.ToString(r.ChecksumCRC32C), string(r.ChecksumType))
	}
	return info, nil
}

// CopyPart copies src (or its range) into a part with UploadPartCopy.
func (u uploader) CopyPart(ctx context.Context, p *s3core.Plan, id string, num int, src s3core.CopySource) (s3core.Part, error) {
	in := &s3.UploadPartCopyInput{
		Bucket:            aws.String(u.d.bucket),
		Key:               aws.String(p.Key),
		UploadId:          aws.String(id),
		PartNumber:        aws.Int32(int32(num)),
		CopySource:        aws.String(copySource(u.d.bucket, src.Key)),
		CopySourceIfMatch: aws.String(src.ETag),
	}
	if src.Length >= 0 {
		in.CopySourceRange = aws.String("bytes=" + strconv.FormatInt(src.Offset, 10) + "-" + strconv.FormatInt(src.Offset+src.Length-1, 10))
	}
	out, err := u.d.client.UploadPartCopy(ctx, in, u.d.callOpts...)
	if err != nil {
		return s3core.Part{}, copyErr(p, src.Key, fmt.Errorf("part %d: %w", num, err))
	}
	part := s3core.Part{Num: num}
	if out.CopyPartResult != nil {
		part.ETag = aws.ToString(out.CopyPartResult.ETag)
	}
	return part, nil
}

// copyErr maps the error of a copy request: a missing object is the
// source (the destination need not exist); a failed precondition is the
// source's ETag (x-amz-copy-source-if-match), so the source changed; a
// server without part copies is ErrNotSupported (the client streams
// instead); the rest is the destination's.
func copyErr(p *s3core.Plan, src string, err error) error {
	a := answerOf(err)
	switch {
	case a.Code == "NoSuchKey" || a.Status == http.StatusNotFound && a.Code != "NoSuchBucket" && a.Code != "NoSuchUpload":
		return wrapErr(p.Op, src, err)
	case a.Code == "PreconditionFailed" || a.Status == http.StatusPreconditionFailed:
		return backend.NewError(p.Op, src, nil, fmt.Errorf("the source changed while it was copied; copy it again: %w", err))
	case errors.Is(kindOf(err), backend.ErrNotSupported):
		return backend.NewError(p.Op, p.Key, backend.ErrNotSupported,
			fmt.Errorf("the server refused a part copy (UploadPartCopy): %w", err))
	}
	return wrapErr(p.Op, p.Key, err)
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
