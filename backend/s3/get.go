package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// GetObject sends the GET of the read engine.
func (u uploader) GetObject(ctx context.Context, key string, req s3core.GetRequest) (s3core.GetAnswer, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(u.d.bucket), Key: aws.String(key)}
	c := req.Conditions
	if c.IfMatch != "" {
		in.IfMatch = aws.String(backend.QuoteETag(c.IfMatch))
	}
	if c.IfNoneMatch != "" {
		in.IfNoneMatch = aws.String(backend.QuoteETag(c.IfNoneMatch))
	}
	if !c.IfModifiedSince.IsZero() {
		in.IfModifiedSince = aws.Time(c.IfModifiedSince.UTC().Truncate(time.Second))
	}
	if req.Range != "" {
		in.Range = aws.String(req.Range)
	}
	out, err := u.d.client.GetObject(ctx, in, u.d.getOpts...)
	if err != nil {
		return s3core.GetAnswer{}, err
	}
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	return s3core.GetAnswer{Body: out.Body, ContentRange: aws.ToString(out.ContentRange), Info: backend.ObjectInfo{
		Key:            key,
		Size:           size,
		LastModified:   aws.ToTime(out.LastModified).UTC(),
		ETag:           cleanETag(out.ETag),
		ContentType:    aws.ToString(out.ContentType),
		Metadata:       s3core.DecodeMetadata(out.Metadata),
		HTTPAttributes: attributesOf(out.CacheControl, out.ContentDisposition, out.ContentEncoding, out.ContentLanguage),
		Checksum:       s3core.Checksum(aws.ToString(out.ChecksumCRC32C), string(out.ChecksumType)),
	}}, nil
}

func (u uploader) Head(ctx context.Context, op, key string) (backend.ObjectInfo, error) {
	return u.d.stat(ctx, op, key)
}

func (uploader) AnswerOf(err error) s3core.Answer    { return answerOf(err) }
func (uploader) Kind(err error) error                { return kindOf(err) }
func (uploader) Err(op, key string, err error) error { return wrapErr(op, key, err) }

func (d *Driver) stat(ctx context.Context, op, key string) (backend.ObjectInfo, error) {
	out, err := d.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:       aws.String(d.bucket),
		Key:          aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled, // the answer carries the checksum
	}, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr(op, key, err)
	}
	return backend.ObjectInfo{
		Key:            key,
		Size:           aws.ToInt64(out.ContentLength),
		LastModified:   aws.ToTime(out.LastModified).UTC(),
		ETag:           cleanETag(out.ETag),
		ContentType:    aws.ToString(out.ContentType),
		Metadata:       s3core.DecodeMetadata(out.Metadata),
		HTTPAttributes: attributesOf(out.CacheControl, out.ContentDisposition, out.ContentEncoding, out.ContentLanguage),
		Checksum:       s3core.Checksum(aws.ToString(out.ChecksumCRC32C), string(out.ChecksumType)),
	}, nil
}

// attributesOf returns the HTTP attributes of a HeadObject or GetObject
// answer, from its fields of those names.
func attributesOf(cacheControl, contentDisposition, contentEncoding, contentLanguage *string) backend.HTTPAttributes {
	return backend.HTTPAttributes{
		CacheControl:       aws.ToString(cacheControl),
		ContentDisposition: aws.ToString(contentDisposition),
		ContentEncoding:    aws.ToString(contentEncoding),
		ContentLanguage:    aws.ToString(contentLanguage),
	}
}
