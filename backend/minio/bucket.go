package minio

import (
	"context"

	minio "github.com/minio/minio-go/v7"
)

// ensureBucket creates the driver's bucket. A bucket that already exists
// and that these credentials can use is fine, whoever created it (also a
// concurrent New that won the race).
func (d *Driver) ensureBucket(ctx context.Context) error {
	err := d.client.MakeBucket(ctx, d.bucket, minio.MakeBucketOptions{Region: d.region})
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case "BucketAlreadyOwnedByYou":
		return nil
	case "BucketAlreadyExists":
		if ok, xerr := d.client.BucketExists(ctx, d.bucket); xerr == nil && ok {
			return nil
		}
	}
	return d.err("create-bucket", d.bucket, err)
}
