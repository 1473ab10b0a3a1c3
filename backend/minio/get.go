package minio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3meta"
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
	sopts.Set(s3meta.HeaderMode, s3meta.ModeEnabled) // the checksum, see objectInfo
	oi, err := d.client.StatObject(ctx, d.bucket, key, sopts)
	if err != nil {
		return backend.ObjectInfo{}, d.err(op, key, err)
	}
	return objectInfo(key, oi), nil
}

// objectInfo converts the answer to a HEAD, or to a GET of the whole
// object, made with x-amz-checksum-mode: ENABLED, so that it carries the
// object's checksum (s3meta, checksum.go). The header is sent as such,
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
		HTTPAttributes: s3meta.AttributesFromHeader(oi.Metadata),
		Checksum:       s3meta.Checksum(oi.ChecksumCRC32C, oi.ChecksumMode),
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
		return d.emptyRange(ctx, key, opts, nil)
	}
	var gopts minio.GetObjectOptions
	// The bytes as stored: no transparent decompression by a transport,
	// whatever the object's Content-Encoding.
	gopts.Set("Accept-Encoding", "identity")
	gopts.Set(s3meta.HeaderMode, s3meta.ModeEnabled) // see objectInfo
	setConditions(&gopts, opts)
	ranged := opts.Offset > 0 || opts.Length > 0
	if ranged {
		if opts.Length > 0 && opts.Length <= math.MaxInt64-opts.Offset {
			gopts.Set("Range", fmt.Sprintf("bytes=%d-%d", opts.Offset, opts.Offset+opts.Length-1))
		} else {
			gopts.Set("Range", fmt.Sprintf("bytes=%d-", opts.Offset))
		}
	}
	body, oi, h, err := d.core.GetObject(ctx, d.bucket, key, gopts)
	if err != nil {
		if ranged && minio.ToErrorResponse(err).StatusCode == http.StatusRequestedRangeNotSatisfiable {
			return d.emptyRange(ctx, key, opts, err)
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
	total, start, length, err := rangeOf(h, opts)
	if err != nil {
		body.Close()
		return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrUnavailable, err)
	}
	info := objectInfo(key, oi)
	info.Size = total
	if ranged {
		// Whose bytes a checksum sent with a range describes is not
		// defined; MinIO sends none (s3meta, checksum.go).
		info.Checksum = backend.Checksum{}
	}
	if start != opts.Offset {
		// A partial answer starts at the offset (rangeOf checks it), so
		// the server ignored the Range header and sent the whole object:
		// skip to the offset.
		off, _, err := backend.ResolveRange(key, total, opts)
		if err != nil {
			body.Close()
			return nil, backend.ObjectInfo{}, err
		}
		if _, err := io.CopyN(io.Discard, body, off); err != nil {
			body.Close()
			return nil, backend.ObjectInfo{}, d.err("get", key, err)
		}
		length = total - off
	}
	if opts.Length >= 0 && length > opts.Length {
		length = opts.Length // the reader stops there; Close drops the rest
	}
	return &bodyReader{key: key, body: body, left: length, size: length}, info, nil
}

// emptyRange answers a Get whose range holds no bytes (zero Length, or a
// 416 answer): it stats the object and returns an empty reader if the
// range starts at or before the end, else ErrInvalidArgument. rangeErr is
// the 416 error, if any, returned when the object grew in between.
func (d *Driver) emptyRange(ctx context.Context, key string, opts backend.GetOptions, rangeErr error) (io.ReadCloser, backend.ObjectInfo, error) {
	info, err := d.stat(ctx, "get", key)
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := backend.CheckConditions("get", key, info, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	_, n, err := backend.ResolveRange(key, info.Size, opts)
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if n > 0 && rangeErr != nil {
		// 416, yet the object now holds bytes in the range: it changed
		// between the two requests.
		return nil, backend.ObjectInfo{}, d.err("get", key, rangeErr)
	}
	return http.NoBody, info, nil
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

// rangeOf reads the size of the whole object and the range the server
// sends from the answer's headers: Content-Range for a 206 answer, else
// Content-Length for the whole object.
func rangeOf(h http.Header, opts backend.GetOptions) (total, start, length int64, err error) {
	if cr := h.Get("Content-Range"); cr != "" {
		// "bytes START-END/TOTAL"
		spec, ok := strings.CutPrefix(cr, "bytes ")
		r, t, ok2 := strings.Cut(spec, "/")
		s, e, ok3 := strings.Cut(r, "-")
		if !ok || !ok2 || !ok3 {
			return 0, 0, 0, fmt.Errorf("malformed Content-Range %q", cr)
		}
		start, err1 := strconv.ParseInt(s, 10, 64)
		end, err2 := strconv.ParseInt(e, 10, 64)
		total, err3 := strconv.ParseInt(t, 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || start != opts.Offset || end < start || end >= total {
			return 0, 0, 0, fmt.Errorf("unexpected Content-Range %q for offset %d", cr, opts.Offset)
		}
		return total, start, end - start + 1, nil
	}
	total, err = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || total < 0 {
		return 0, 0, 0, fmt.Errorf("answer without a valid Content-Length (%q)", h.Get("Content-Length"))
	}
	return total, 0, total, nil
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
