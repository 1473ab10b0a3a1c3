package minio

import (
	"context"
	"fmt"
	"maps"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Composer = (*Driver)(nil)

// Compose concatenates srcs into dst on the server with minio-go's
// ComposeObject: one multipart upload whose parts are copies of the
// sources (UploadPartCopy), published by its completion, so dst is
// atomic. S3 requires every part but the last to be at least 5 MiB and
// allows MaxParts parts, so Compose returns ErrNotSupported, before any
// request, when a source but the last is smaller than MinPartSize (by its
// listed Size) or there are more than MaxParts sources: the client then
// streams the bytes itself.
//
// minio-go stats every source first (one HEAD each) and copies each part
// only if its ETag is still the one it saw. A failed copy aborts the
// upload; dst is then unchanged.
func (d *Driver) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	const op = "compose"
	if err := backend.ValidateKey(op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	md, err := backend.NormalizeMetadata(op, dst, opts.Metadata)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	ct, err := backend.NormalizeContentType(op, dst, opts.ContentType)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := composable(dst, srcs); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := d.check(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	if d.conflict {
		if err := d.checkConflicts(ctx, dst); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	cs := make([]minio.CopySrcOptions, len(srcs))
	var total int64
	for i, s := range srcs {
		if err := backend.ValidateKey(op, s.Key); err != nil {
			return backend.ObjectInfo{}, err
		}
		cs[i] = minio.CopySrcOptions{Bucket: d.bucket, Object: s.Key}
		total += s.Size
	}
	// A standard header in UserMetadata ("Content-Type") is sent as that
	// header by minio-go; the rest carry the x-amz-meta- prefix.
	um := make(map[string]string, len(md)+1)
	maps.Copy(um, encodeMetadata(md))
	um["Content-Type"] = ct
	up, err := d.client.ComposeObject(ctx, minio.CopyDestOptions{
		Bucket: d.bucket, Object: dst, UserMetadata: um, ReplaceMetadata: true,
	}, cs...)
	if err != nil {
		return backend.ObjectInfo{}, d.err(op, dst, err)
	}
	return backend.ObjectInfo{Key: dst, Size: up.Size, ETag: up.ETag, ContentType: ct, Metadata: md, LastModified: up.LastModified}, nil
}

// composable returns an ErrNotSupported error when S3's multipart rules
// forbid composing srcs in one upload.
func composable(dst string, srcs []backend.ObjectInfo) error {
	if len(srcs) == 0 || len(srcs) > MaxParts {
		return backend.NewError("compose", dst, backend.ErrNotSupported,
			fmt.Errorf("a server-side compose takes 1 to %d sources, not %d", MaxParts, len(srcs)))
	}
	for i, s := range srcs[:len(srcs)-1] {
		if s.Size < MinPartSize {
			return backend.NewError("compose", dst, backend.ErrNotSupported, fmt.Errorf(
				"source %d (%q) has %d bytes; a server-side compose needs every source but the last to hold at least %d", i, s.Key, s.Size, MinPartSize))
		}
	}
	return nil
}
