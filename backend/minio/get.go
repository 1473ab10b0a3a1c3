package minio

import (
	"context"
	"net/http"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

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

// GetObject sends the GET of the read engine.
func (u uploader) GetObject(ctx context.Context, key string, req s3core.GetRequest) (s3core.GetAnswer, error) {
	var g minio.GetObjectOptions
	g.Set("Accept-Encoding", "identity")
	g.Set(s3core.HeaderMode, s3core.ModeEnabled) // see objectInfo
	c := req.Conditions
	if c.IfMatch != "" {
		g.Set("If-Match", backend.QuoteETag(c.IfMatch))
	}
	if c.IfNoneMatch != "" {
		g.Set("If-None-Match", backend.QuoteETag(c.IfNoneMatch))
	}
	if !c.IfModifiedSince.IsZero() {
		g.Set("If-Modified-Since", c.IfModifiedSince.UTC().Format(http.TimeFormat))
	}
	if req.Range != "" {
		g.Set("Range", req.Range)
	}
	body, oi, h, err := u.d.core.GetObject(ctx, u.d.bucket, key, g)
	if err != nil {
		return s3core.GetAnswer{}, err
	}
	// oi.Size is the Content-Length, -1 when absent.
	return s3core.GetAnswer{Body: body, Info: objectInfo(key, oi), ContentRange: h.Get("Content-Range")}, nil
}

func (u uploader) Head(ctx context.Context, op, key string) (backend.ObjectInfo, error) {
	return u.d.stat(ctx, op, key)
}

func (uploader) AnswerOf(err error) s3core.Answer      { return answerOf(err) }
func (uploader) Kind(err error) error                  { return kindOf(err) }
func (u uploader) Err(op, key string, err error) error { return u.d.err(op, key, err) }

func contentType(ct string) string {
	if ct = strings.TrimSpace(ct); ct == "" {
		return backend.DefaultContentType
	}
	return ct
}
