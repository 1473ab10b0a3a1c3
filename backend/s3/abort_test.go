package s3_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestAbortRetriedAcrossServerRestart runs
// s3test.CheckAbortRetriedAcrossServerRestart on the raw driver, on
// MinIO, because it keeps an upload across a restart and lists it.
func TestAbortRetriedAcrossServerRestart(t *testing.T) {
	srv := servers[0].start(t)
	require.Equal(t, "minio", srv.name)
	d, bucket := srv.openRaw(t, func(c *s3drv.Config) { c.PartSize = s3drv.MinPartSize })
	s3test.CheckAbortRetriedAcrossServerRestart(t, s3test.Restartable{
		Backend: d,
		Server:  srv.proc,
		Uploads: func(key string) ([]string, error) {
			out, err := srv.admin.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{
				Bucket: aws.String(bucket), Prefix: aws.String(key),
			})
			if err != nil {
				return nil, err
			}
			var left []string
			for _, u := range out.Uploads {
				left = append(left, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
			}
			return left, nil
		},
		Exists: func(t *testing.T, key string) bool { return srv.objectExists(t, bucket, key) },
	})
}
