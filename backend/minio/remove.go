package minio

import (
	"context"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// DeleteObject removes key; S3 answers success for a missing key.
func (u uploader) DeleteObject(ctx context.Context, key string) error {
	err := u.d.client.RemoveObject(ctx, u.d.bucket, key, minio.RemoveObjectOptions{})
	if err == nil || minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return nil
	}
	return u.d.err("remove", key, err)
}

// DeleteObjects removes a batch with one multi-object delete.
func (u uploader) DeleteObjects(ctx context.Context, batch []string) (errs []error, fatal error) {
	d := u.d
	objs := func(yield func(minio.ObjectInfo) bool) {
		for _, k := range batch {
			if !yield(minio.ObjectInfo{Key: k}) {
				return
			}
		}
	}
	results, err := d.client.RemoveObjectsWithIter(ctx, d.bucket, objs, minio.RemoveObjectsOptions{})
	if err != nil {
		for _, k := range batch {
			errs = append(errs, d.err("remove", k, err))
		}
		return errs, err
	}
	done := make(map[string]bool, len(batch))
	for r := range results {
		if r.ObjectName != "" {
			done[r.ObjectName] = true
		}
		if r.Err == nil || minio.ToErrorResponse(r.Err).Code == "NoSuchKey" {
			continue
		}
		if r.ObjectName == "" {
			// The answer itself was unreadable.
			fatal = r.Err
			continue
		}
		errs = append(errs, d.err("remove", r.ObjectName, r.Err))
		if minio.ToErrorResponse(r.Err).StatusCode != 0 || backend.NetworkKind(r.Err) != nil {
			// A failed request reports its error for every key (with the
			// status of the answer); a per-key refusal has no status.
			fatal = r.Err
		}
	}
	if fatal == nil {
		fatal = ctx.Err()
	}
	if fatal != nil {
		for _, k := range batch {
			if !done[k] {
				errs = append(errs, d.err("remove", k, fatal))
			}
		}
	}
	return errs, fatal
}
