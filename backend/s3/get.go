package s3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// Get reads opts' range of the object with one GetObject (a Range header
// unless the whole object is asked for). The Get contract on ranges is
// kept also where S3 answers differently: a range that starts exactly at
// the end of the object (S3: 416) and a zero Length give an empty reader;
// only a start past the end is ErrInvalidArgument. The reader fails with
// ErrUnavailable, never a clean io.EOF, when the body ends before the
// Content-Length the server announced.
//
// A Get of the whole object returns its checksum (x-amz-checksum-mode:
// ENABLED, see getOpts), its HTTP attributes and the stored bytes: the
// SDK sends Accept-Encoding: identity, so the transport never decodes a
// Content-Encoding.
//
// The preconditions of opts go out as If-Match, If-None-Match and
// If-Modified-Since (as backend.WireConditions gives them), so the server
// evaluates them on the version it serves and sends no body when one
// fails: 412 is ErrPreconditionFailed, 304 ErrNotModified. A read of no
// bytes evaluates them on its one HeadObject answer.
func (d *Driver) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := d.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
	}
	if opts.Length == 0 {
		// Nothing to read: S3 has no empty range, so Stat gives the info
		// and the check of the offset.
		return s3core.EmptyRange(ctx, key, opts, nil, d.stat)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(key)}
	if w := backend.WireConditions(opts); w.HasConditions() {
		if w.IfMatch != "" {
			in.IfMatch = aws.String(backend.QuoteETag(w.IfMatch))
		}
		if w.IfNoneMatch != "" {
			in.IfNoneMatch = aws.String(backend.QuoteETag(w.IfNoneMatch))
		}
		if !w.IfModifiedSince.IsZero() {
			in.IfModifiedSince = aws.Time(w.IfModifiedSince.UTC().Truncate(time.Second))
		}
	}
	rng := s3core.RangeHeader(opts)
	ranged := rng != ""
	if ranged {
		in.Range = aws.String(rng)
	}
	out, err := d.client.GetObject(ctx, in, d.getOpts...)
	if err != nil {
		if ranged && answerOf(err).RangeNotSatisfiable() {
			// The range starts at or past the end (or the object is empty).
			return s3core.EmptyRange(ctx, key, opts, err, d.stat)
		}
		return nil, backend.ObjectInfo{}, d.conditionErr(ctx, key, opts, err)
	}
	info := backend.ObjectInfo{
		Key:            key,
		Size:           aws.ToInt64(out.ContentLength), // of the whole object when not ranged
		LastModified:   aws.ToTime(out.LastModified).UTC(),
		ETag:           cleanETag(out.ETag),
		ContentType:    aws.ToString(out.ContentType),
		Metadata:       s3core.DecodeMetadata(out.Metadata),
		HTTPAttributes: attributesOf(out.CacheControl, out.ContentDisposition, out.ContentEncoding, out.ContentLanguage),
	}
	if !ranged {
		// Whose bytes a checksum sent with a range describes is not
		// defined (s3core, checksum.go): only a whole object's counts.
		info.Checksum = s3core.Checksum(aws.ToString(out.ChecksumCRC32C), string(out.ChecksumType))
	}
	if opts.HasConditions() {
		// The answer's own ETag and Last-Modified, checked again: a
		// server that compares If-Modified-Since with a modification
		// time finer than the header's second (versitygw) sends the
		// body of an object modified in that very second. The body is
		// then dropped unread.
		if err := backend.CheckConditions("get", key, info, backend.WireConditions(opts)); err != nil {
			out.Body.Close()
			return nil, backend.ObjectInfo{}, err
		}
	}
	// span.Length is what the body must deliver; -1 when the server sent
	// no Content-Length (never seen from S3 servers, possible behind a
	// re-chunking proxy), and then only a broken connection is caught.
	cl := int64(-1)
	if out.ContentLength != nil {
		cl = *out.ContentLength
	}
	span, err := s3core.ReadSpan(key, opts, aws.ToString(out.ContentRange), cl)
	if err != nil {
		out.Body.Close()
		return nil, backend.ObjectInfo{}, err
	}
	info.Size = span.Size
	if span.Size < 0 {
		// The whole object's size is unknown: ask for it.
		st, err := d.stat(ctx, "get", key)
		if err != nil {
			out.Body.Close()
			return nil, backend.ObjectInfo{}, err
		}
		info.Size = st.Size
	}
	if span.Skip > 0 {
		// The server ignored the Range and sent the whole object: cut
		// the range out of it here (bodyReader stops at its end).
		if _, err := io.CopyN(io.Discard, out.Body, span.Skip); err != nil {
			out.Body.Close()
			return nil, backend.ObjectInfo{}, readBodyErr(key, err)
		}
	}
	return &bodyReader{key: key, r: out.Body, c: out.Body, left: span.Length}, info, nil
}

// conditionErr wraps the error of a GetObject with preconditions: 412 is
// ErrPreconditionFailed, 304 ErrNotModified. A server that answers
// If-Modified-Since before If-Match (MinIO) may say 304 where HTTP says
// 412: a HeadObject then tells whether If-Match fails.
func (d *Driver) conditionErr(ctx context.Context, key string, opts backend.GetOptions, err error) error {
	if !opts.HasConditions() {
		return wrapErr("get", key, err)
	}
	switch answerOf(err).Status {
	case http.StatusPreconditionFailed:
		return backend.NewError("get", key, backend.ErrPreconditionFailed, err)
	case http.StatusNotModified:
		if opts.IfMatch != "" {
			if info, serr := d.stat(ctx, "get", key); serr == nil && !backend.ETagsEqual(info.ETag, opts.IfMatch) {
				return backend.CheckConditions("get", key, info, opts)
			}
		}
		return backend.NewError("get", key, backend.ErrNotModified, err)
	}
	return wrapErr("get", key, err)
}

// bodyReader delivers exactly left bytes of a response body (left < 0:
// unknown): a body that ends early fails with ErrUnavailable
// (io.ErrUnexpectedEOF), and every transport error is wrapped for op "get"
// with its Kind, so that a retry layer can resume the download.
type bodyReader struct {
	key  string
	r    io.Reader
	c    io.Closer
	left int64
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		// Length unknown: only transport errors are caught.
		n, err := b.r.Read(p)
		if err != nil && err != io.EOF {
			err = readBodyErr(b.key, err)
		}
		return n, err
	}
	if b.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case err == io.EOF && b.left > 0:
		return n, backend.NewError("get", b.key, backend.ErrUnavailable,
			fmt.Errorf("the body ended %d bytes early: %w", b.left, io.ErrUnexpectedEOF))
	case err == io.EOF || err == nil && b.left == 0:
		return n, io.EOF
	case err != nil:
		return n, readBodyErr(b.key, err)
	}
	return n, nil
}

func (b *bodyReader) Close() error { return b.c.Close() }

// readBodyErr wraps a failure while reading a response body. A broken
// connection is ErrUnavailable even when the transport reports it without
// a network error type (io.ErrUnexpectedEOF, see s3core.Kind).
func readBodyErr(key string, err error) error {
	return backend.NewError("get", key, kindOf(err), err)
}

// Stat returns the object's info with one HeadObject.
func (d *Driver) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("stat", key, nil, err)
	}
	return d.stat(ctx, "stat", key)
}

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
