package s3

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// uploader sends the requests of the upload engine with the SDK.
type uploader struct{ d *Driver }

// PutObject sends data with one PutObject (the SDK signs its SHA-256
// over plain HTTP, see payload.go).
func (u uploader) PutObject(ctx context.Context, p *s3core.Plan, data []byte, sum backend.Checksum) (backend.ObjectInfo, error) {
	body := s3core.NewBody(data) // data is the engine's buffer again once this returns
	defer body.Disable()
	return u.put(ctx, p, body, int64(len(data)), sum, u.d.contentMD5(data), u.d.callOpts)
}

// PutSection sends a section of the caller's reader with one PutObject,
// hashed in one pass (hashSection).
func (u uploader) PutSection(ctx context.Context, p *s3core.Plan, r *io.SectionReader) (backend.ObjectInfo, error) {
	h, err := u.d.hashSection(r)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", p.Key, nil, err)
	}
	sum, err := backend.ParseChecksum(backend.CRC32C, h.crc)
	if err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", p.Key, nil, err)
	}
	return u.put(ctx, p, r, r.Size(), sum, h.md5, h.opts)
}

// put sends body, of size bytes with the CRC32C sum, with one PutObject
// and the call options given (a signed payload hash), its Content-MD5 if
// not nil.
func (u uploader) put(ctx context.Context, p *s3core.Plan, body io.Reader, size int64, sum backend.Checksum, contentMD5 *string, opts []func(*s3.Options)) (backend.ObjectInfo, error) {
	o := p.Opts
	in := &s3.PutObjectInput{
		Bucket:             aws.String(u.d.bucket),
		Key:                aws.String(p.Key),
		Body:               body,
		ContentLength:      aws.Int64(size),
		ContentMD5:         contentMD5,
		ChecksumCRC32C:     aws.String(s3core.EncodeChecksum(sum)),
		ContentType:        aws.String(o.ContentType),
		Metadata:           s3core.EncodeMetadata(o.Metadata),
		CacheControl:       optional(o.CacheControl),
		ContentDisposition: optional(o.ContentDisposition),
		ContentEncoding:    optional(o.ContentEncoding),
		ContentLanguage:    optional(o.ContentLanguage),
	}
	if o.IfNotExist {
		in.IfNoneMatch = aws.String("*")
	}
	if o.IfMatch != "" {
		in.IfMatch = aws.String(backend.QuoteETag(o.IfMatch))
	}
	out, err := u.d.client.PutObject(ctx, in, opts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr("put", p.Key, err)
	}
	return backend.ObjectInfo{Size: size, LastModified: serverTime(out.ResultMetadata), ETag: cleanETag(out.ETag), Checksum: sum}, nil
}

// optional is the value of an optional header: nil, not sent, when empty.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return aws.String(v)
}

// serverTime returns the Date of the server's answer (the clock that set
// the object's Last-Modified, to the second), or the local time if the
// answer had none.
func serverTime(md middleware.Metadata) time.Time {
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t.UTC()
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}

// cleanETag returns an ETag without its quotes (S3 sends `"abc"`).
func cleanETag(e *string) string {
	return strings.Trim(aws.ToString(e), `"`)
}
