package s3

import (
	"bytes"
	"context"
	"errors"
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

// Put stores r under key. Objects up to PartSize bytes are sent with one
// PutObject; larger ones, and streams that turn out larger, with a
// multipart upload (multipart.go). Either way the bytes are read into
// memory one part at a time, which bounds memory, lets every request carry
// a checked hash of its body (payload.go), and means a failing reader or a cancelled ctx is noticed
// before anything is published.
//
// With opts.IfNotExist the request carries If-None-Match: * (on the
// PutObject, or on the CompleteMultipartUpload), which the server checks
// atomically; a 412 answer (PreconditionFailed) is ErrExist, while a 409
// ConditionalRequestConflict (a concurrent operation on the key) is
// ErrServerBusy, retried by the failover layer.
//
// With opts.IfMatch the PutObject, or the CompleteMultipartUpload, carries
// If-Match: "ETAG", which the server checks atomically as it publishes
// the object; a 412, or a NoSuchKey for a key that holds no object, is
// ErrPreconditionFailed.
//
// Every object gets a CRC32C of its whole content that the server checks
// and keeps with it (internal/s3core, checksum.go): a PutObject carries
// it in x-amz-checksum-crc32c (the bytes are buffered, so it is known
// before they are sent); a multipart upload is a FULL_OBJECT CRC32C
// upload, whose completion carries the CRC32C of the whole object,
// computed as the parts are read. The returned info holds it. The HTTP
// attributes are sent as their headers with the PutObject, or the
// CreateMultipartUpload.
func (d *Driver) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check("put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	if err := d.checkSize(key, opts.Size); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.checkKeyConflict(ctx, key); err != nil {
		return backend.ObjectInfo{}, err
	}
	pr := &partReader{r: backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size))}

	var first []byte
	var more bool
	if opts.Size >= 0 && opts.Size <= d.partSize {
		first = make([]byte, opts.Size)
		var n int
		n, more, err = pr.fill(first)
		first = first[:n]
	} else if opts.Size > d.partSize {
		first = d.bufs.get()
		var n int
		n, more, err = pr.fill(first)
		first = first[:n]
	} else {
		first, more, err = pr.fillGrowing(d.bufs)
	}
	if err != nil {
		d.bufs.put(first)
		return backend.ObjectInfo{}, readErr(key, err)
	}
	if !more {
		info, err := d.putSingle(ctx, key, first, opts)
		d.bufs.put(first)
		return info, preconditionErr(key, opts, err)
	}
	info, err := d.putMultipart(ctx, key, pr, first, opts)
	return info, preconditionErr(key, opts, err)
}

// preconditionErr gives a failed put with IfMatch its kind: the server's
// 412 (which kindOf calls ErrExist, the failure of IfNotExist) or its
// NoSuchKey (the key holds no object) is ErrPreconditionFailed.
func preconditionErr(key string, opts backend.PutOptions, err error) error {
	if err == nil || opts.IfMatch == "" {
		return err
	}
	if a := answerOf(err); a.Code == "PreconditionFailed" || a.Code == "NoSuchKey" || a.Status == http.StatusPreconditionFailed {
		return backend.NewError("put", key, backend.ErrPreconditionFailed, fmt.Errorf("IfMatch %q: %w", opts.IfMatch, unwrapOwn(err)))
	}
	return err
}

// unwrapOwn returns the cause of a *backend.Error (so that a new kind is
// not stated next to the old one), or err.
func unwrapOwn(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err
	}
	return err
}

// checkSize rejects, before any I/O, a known size that S3 cannot store
// with this part size.
func (d *Driver) checkSize(key string, size int64) error {
	switch {
	case size > MaxObjectSize:
		return backend.NewError("put", key, backend.ErrTooLarge,
			fmt.Errorf("size %d is more than S3's limit of 5 TiB", size))
	case size > d.partSize*int64(d.maxParts):
		return backend.NewError("put", key, backend.ErrTooLarge,
			fmt.Errorf("size %d needs more than %d parts of %d bytes; raise the part size (part_size)", size, d.maxParts, d.partSize))
	}
	return nil
}

// readErr wraps an error of the caller's reader (or of the context that
// ContextReader watches). *backend.Error causes (ExactReader's size
// checks) keep their Kind.
func readErr(key string, err error) error {
	return backend.NewError("put", key, nil, fmt.Errorf("reading the object's bytes: %w", err))
}

// putSingle sends data with one PutObject.
func (d *Driver) putSingle(ctx context.Context, key string, data []byte, opts backend.PutOptions) (backend.ObjectInfo, error) {
	sum := s3core.CRC32C(data)
	in := &s3.PutObjectInput{
		Bucket:             aws.String(d.bucket),
		Key:                aws.String(key),
		Body:               bytes.NewReader(data),
		ContentLength:      aws.Int64(int64(len(data))),
		ContentMD5:         d.contentMD5(data), // see payload.go
		ChecksumCRC32C:     aws.String(s3core.EncodeChecksum(sum)),
		ContentType:        aws.String(opts.ContentType),
		Metadata:           s3core.EncodeMetadata(opts.Metadata),
		CacheControl:       optional(opts.CacheControl),
		ContentDisposition: optional(opts.ContentDisposition),
		ContentEncoding:    optional(opts.ContentEncoding),
		ContentLanguage:    optional(opts.ContentLanguage),
	}
	if opts.IfNotExist {
		in.IfNoneMatch = aws.String("*")
	}
	if opts.IfMatch != "" {
		in.IfMatch = aws.String(backend.QuoteETag(opts.IfMatch))
	}
	out, err := d.client.PutObject(ctx, in, d.callOpts...)
	if err != nil {
		return backend.ObjectInfo{}, wrapErr("put", key, err)
	}
	return backend.ObjectInfo{
		Key:            key,
		Size:           int64(len(data)),
		LastModified:   serverTime(out.ResultMetadata),
		ETag:           cleanETag(out.ETag),
		ContentType:    opts.ContentType,
		Metadata:       opts.Metadata,
		HTTPAttributes: opts.HTTPAttributes,
		Checksum:       sum,
	}, nil
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
