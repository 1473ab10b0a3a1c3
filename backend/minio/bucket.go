package minio

import (
	"context"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// The bucket requests of s3core.Buckets; the engines (bucket creation and
// removal, expiry rules) are s3core's.
var _ s3core.Adapter = uploader{}

func (u uploader) BucketExists(ctx context.Context) (bool, error) {
	return u.d.client.BucketExists(ctx, u.d.bucket)
}

func (u uploader) CreateBucket(ctx context.Context) error {
	return u.d.client.MakeBucket(ctx, u.d.bucket, minio.MakeBucketOptions{Region: u.d.region})
}

func (u uploader) DeleteBucket(ctx context.Context) error {
	return u.d.client.RemoveBucket(ctx, u.d.bucket)
}
