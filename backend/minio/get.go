package minio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// Stat returns the info of the object at key (one HEAD request).
func (d *Driver) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return d.stat(ctx, "stat", key)
}

func (d *Driver) stat(ctx context.Context, op, key string) (backend.ObjectInfo, error) {
	var sopts minio.StatObjectOptions
	sopts.Set(s3core.HeaderMode, s3core.ModeEnabled) // the checksum, see objectInfo
	oi, err := d.client.StatObject(ctx, d.bucket, key, sopts)
	if err != nil {
		return backend.ObjectInfo{}, d.err(op, key, err)
	}
	return objectInfo(key, oi), nil
}

// objectInfo converts the answer to a HEAD, or to a GET of the whole
// object, made with x-amz-checksum-mode: ENABLED, so that it carries the
// object's checksum (s3core, checksum.go). The header is sent as such,
// not with minio-go's GetObjectOptions.Checksum, which would also make
// minio-go verify the body, a second time after the client (objstore's
// get, which reports ErrCorrupt), with an error of its own.
func objectInfo(key string, oi minio.ObjectInfo) backend.ObjectInfo {
	return backend.ObjectInfo{
		Key:            key,
		Size:           oi.Size,
		LastModified:   oi.LastModified.UTC(),
		ETag:           oi.ETag,
		ContentType:    contentType(oi.ContentType),
		Metadata:       metadataFromHeader(oi.Metadata),
		HTTPAttributes: s3core.AttributesFromHeader(oi.Metadata),
		Checksum:       s3core.Checksum(oi.ChecksumCRC32C, oi.ChecksumMode),
	}
}

// Get reads the object's range with one GET request. minio-go's
// Client.GetObject is lazy (the request happens at the first Read); this
// uses Core.GetObject, so a missing key is ErrNotFound from Get itself.
//
// A zero Length needs no body: Get then only stats the object (to report
// ErrNotFound, or ErrInvalidArgument for an offset past the end). S3
// answers 416 for a range that starts at the end of the object; Get then
// stats the object to tell "at the end" (an empty reader) from "past the
// end" (ErrInvalidArgument).
//
// The preconditions of opts are sent as If-Match, If-None-Match and
// If-Modified-Since (the last only without If-None-Match, as HTTP
// ignores it then), so the server evaluates them on the version it
// serves: 412 is ErrPreconditionFailed, 304 ErrNotModified, and no body
// comes. A read of no bytes evaluates them on the one HEAD answer it
// makes (backend.CheckConditions).
func (d *Driver) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, "get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if opts.Length == 0 {
		return s3core.EmptyRange(ctx, key, opts, nil, d.stat)
	}
	var gopts minio.GetObjectOptions
	// The bytes as stored: no transparent decompression by a transport,
	// whatever the object's Content-Encoding.
	gopts.Set("Accept-Encoding", "identity")
	gopts.Set(s3core.HeaderMode, s3core.ModeEnabled) // see objectInfo
	setConditions(&gopts, opts)
	rng := s3core.RangeHeader(opts)
	if rng != "" {
		gopts.Set("Range", rng)
	}
	body, oi, h, err := d.core.GetObject(ctx, d.bucket, key, gopts)
	if err != nil {
		if rng != "" && answerOf(err).RangeNotSatisfiable() {
			return s3core.EmptyRange(ctx, key, opts, err, d.stat)
		}
		err = conditionErr(key, opts, d.err("get", key, err))
		if opts.IfMatch != "" && errors.Is(err, backend.ErrNotModified) {
			// MinIO answers If-Modified-Since before If-Match: a HEAD
			// tells whether If-Match fails, which HTTP puts first.
			if info, serr := d.stat(ctx, "get", key); serr == nil && !backend.ETagsEqual(info.ETag, opts.IfMatch) {
				err = backend.CheckConditions("get", key, info, opts)
			}
		}
		return nil, backend.ObjectInfo{}, err
	}
	// oi.Size is the Content-Length, -1 when absent.
	span, err := s3core.ReadSpan(key, opts, h.Get("Content-Range"), oi.Size)
	if err == nil && span.Size < 0 {
		err = backend.NewError("get", key, backend.ErrUnavailable, errors.New("the answer has no Content-Length"))
	}
	if err != nil {
		body.Close()
		return nil, backend.ObjectInfo{}, err
	}
	info := objectInfo(key, oi)
	info.Size = span.Size
	if rng != "" {
		// Whose bytes a checksum sent with a range describes is not
		// defined; MinIO sends none (s3core, checksum.go).
		info.Checksum = backend.Checksum{}
	}
	if span.Skip > 0 {
		// The server ignored the Range and sent the whole object: skip to
		// the offset (bodyReader stops at the range's end).
		if _, err := io.CopyN(io.Discard, body, span.Skip); err != nil {
			body.Close()
			return nil, backend.ObjectInfo{}, d.err("get", key, err)
		}
	}
	return &bodyReader{key: key, body: body, left: span.Length, size: span.Length}, info, nil
}

// setConditions sends the preconditions of opts (see Get).
func setConditions(g *minio.GetObjectOptions, opts backend.GetOptions) {
	opts = backend.WireConditions(opts)
	if opts.IfMatch != "" {
		g.Set("If-Match", backend.QuoteETag(opts.IfMatch))
	}
	if opts.IfNoneMatch != "" {
		g.Set("If-None-Match", backend.QuoteETag(opts.IfNoneMatch))
	} else if !opts.IfModifiedSince.IsZero() {
		g.Set("If-Modified-Since", opts.IfModifiedSince.UTC().Format(http.TimeFormat))
	}
}

// conditionErr gives the error of a Get with preconditions the kind of
// the server's answer: 412 is ErrPreconditionFailed, 304 ErrNotModified.
func conditionErr(key string, opts backend.GetOptions, err error) error {
	var er minio.ErrorResponse
	if !opts.HasConditions() || !errors.As(err, &er) {
		return err
	}
	switch {
	case er.StatusCode == http.StatusPreconditionFailed || er.Code == "PreconditionFailed":
		return backend.NewError("get", key, backend.ErrPreconditionFailed, er)
	case er.StatusCode == http.StatusNotModified:
		return backend.NewError("get", key, backend.ErrNotModified, er)
	}
	return err
}

func contentType(ct string) string {
	if ct = strings.TrimSpace(ct); ct == "" {
		return backend.DefaultContentType
	}
	return ct
}

// bodyReader delivers exactly the bytes of the range: a body that ends
// early is an ErrUnavailable error wrapping io.ErrUnexpectedEOF, never a
// clean io.EOF, and transport errors are mapped to the sentinels.
type bodyReader struct {
	key        string
	body       io.ReadCloser
	left, size int64
	closed     bool
}

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, backend.NewError("get", r.key, nil, errClosedBody)
	}
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.body.Read(p)
	r.left -= int64(n)
	switch {
	case r.left == 0:
		if err == nil {
			// Let the transport see the end of the body, so that it
			// keeps the connection for the next request.
			var one [1]byte
			_, _ = r.body.Read(one[:])
		}
		return n, io.EOF
	case err == io.EOF:
		return n, backend.NewError("get", r.key, backend.ErrUnavailable,
			fmt.Errorf("the body ended after %d of %d bytes: %w", r.size-r.left, r.size, io.ErrUnexpectedEOF))
	case err != nil:
		return n, mapErr("get", "", r.key, err)
	}
	return n, nil
}

// Close releases the connection; closing before the end drops it rather
// than draining the rest of the body.
func (r *bodyReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if err := r.body.Close(); err != nil && !errors.Is(err, http.ErrBodyReadAfterClose) {
		return mapErr("get", "", r.key, err)
	}
	return nil
}
