package s3

import (
	"bytes"
	"context"
	"fmt"
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

// Put stores r under key with the S3 upload engine (internal/s3core,
// upload.go: one PutObject or a multipart upload with bounded memory, the
// preconditions, the CRC32C the server checks and keeps, the abort of a
// failed upload, and on MinIO the key-conflict check of conflict.go). The
// bytes are read one part at a time, so every request carries a checked
// hash of its body (payload.go). A 409 ConditionalRequestConflict (a
// concurrent operation on the key) is ErrServerBusy, retried by the
// failover layer.
func (d *Driver) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, "put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if opts.Size > MaxObjectSize {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrTooLarge,
			fmt.Errorf("size %d is more than S3's limit of 5 TiB", opts.Size))
	}
	if err := d.up.CheckSize(key, opts.Size); err != nil {
		return backend.ObjectInfo{}, err
	}
	return d.up.Put(ctx, uploader{d}, key, r, opts)
}

// uploader sends the requests of the upload engine with the SDK.
type uploader struct{ d *Driver }

// PutObject sends data with one PutObject.
func (u uploader) PutObject(ctx context.Context, p *s3core.Plan, data []byte, sum backend.Checksum) (backend.ObjectInfo, error) {
	o := p.Opts
	in := &s3.PutObjectInput{
		Bucket:             aws.String(u.d.bucket),
		Key:                aws.String(p.Key),
		Body:               bytes.NewReader(data),
		ContentLength:      aws.Int64(int64(len(data))),
		ContentMD5:         u.d.contentMD5(data), // see payload.go
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
	out, err := u.d.client.PutObject(ctx, in, u.d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr("put", p.Key, err)
	}
	return backend.ObjectInfo{Size: int64(len(data)), LastModified: serverTime(out.ResultMetadata), ETag: cleanETag(out.ETag), Checksum: sum}, nil
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
