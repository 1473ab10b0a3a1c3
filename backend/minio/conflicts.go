package minio

import (
	"context"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// The key-conflict check (internal/s3core, conflict.go) keeps MinIO from
// storing a key that nests with another object's ("a" and "a/b"), which
// its listings would hide; Config.SkipConflictCheck turns it off.

// checkConflicts returns an ErrExist error (of op) when key cannot be
// stored without hiding an object from listings.
func (d *Driver) checkConflicts(ctx context.Context, op, key string) error {
	if !d.conflict {
		return nil
	}
	return s3core.CheckConflicts(ctx, uploader{d}, op, key)
}

func (u uploader) CheckConflicts() bool { return u.d.conflict }

func (u uploader) Exists(ctx context.Context, key string) (bool, error) {
	_, err := u.d.client.StatObject(ctx, u.d.bucket, key, minio.StatObjectOptions{})
	switch {
	case err == nil:
		return true, nil
	case minio.ToErrorResponse(err).StatusCode == 404:
		return false, nil
	}
	return false, u.d.err("stat", key, err)
}
