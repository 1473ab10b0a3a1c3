package s3_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

// TestRemoveBucket: on MinIO and versitygw, a bucket with an object is
// refused (ErrExist) and kept, an empty one is removed, a missing one is
// ErrNotFound; by Config and by s3:// URL through the registry.
func TestRemoveBucket(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		ctx := t.Context()
		b, bucket := srv.open(t)
		cfg := srv.config(bucket)
		_, err := b.Put(ctx, "dir/k", strings.NewReader("v"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		exists := func() bool {
			_, err := srv.admin.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
			return err == nil
		}

		err = s3drv.RemoveBucket(ctx, cfg)
		require.ErrorIs(t, err, backend.ErrExist)
		assert.Contains(t, err.Error(), "remove-store")
		assert.Contains(t, err.Error(), "is not empty")
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr, "the server's answer stays reachable")
		assert.Equal(t, "BucketNotEmpty", apiErr.ErrorCode())
		assert.True(t, exists(), "the bucket is kept")

		require.NoError(t, b.Remove(ctx, "dir/k"))
		require.NoError(t, s3drv.RemoveBucket(ctx, cfg))
		assert.False(t, exists(), "the bucket is gone")
		err = s3drv.RemoveBucket(ctx, cfg)
		require.ErrorIs(t, err, backend.ErrNotFound)
		assert.Contains(t, err.Error(), bucket)

		// By URL, with the credentials from the environment.
		t.Setenv("AWS_ACCESS_KEY_ID", srv.accessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", srv.secretKey)
		raw := fmt.Sprintf("s3://%s?endpoint=%s&path_style=true&region=%s&create_bucket=true", bucket, url.QueryEscape(srv.url), srv.region)
		assert.ErrorIs(t, backend.RemoveStore(ctx, raw), backend.ErrNotFound)
		_, err = srv.admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		require.NoError(t, backend.RemoveStore(ctx, raw))
		assert.False(t, exists())

		err = backend.RemoveStore(ctx, "s3://"+bucket+"?nope=1")
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "remove-store")
	})
}
