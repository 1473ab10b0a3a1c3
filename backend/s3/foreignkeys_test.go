package s3_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/drivertest"
)

// TestForeignKeys runs drivertest.CheckForeignKeys, filling the bucket with
// the plain SDK, on New (the driver behind failover), on MinIO, which
// stores and lists every foreign key as it is, and on versitygw, which
// keeps folder objects as directories.
func TestForeignKeys(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t)
		drivertest.CheckForeignKeys(t, drivertest.Foreign{
			Backend: b,
			Put: func(t *testing.T, key, data string) error {
				_, err := srv.admin.PutObject(t.Context(), &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(data),
				})
				return err
			},
			List: func(t *testing.T, prefix string) []string {
				var keys []string
				p := s3.NewListObjectsV2Paginator(srv.admin, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
				for p.HasMorePages() {
					out, err := p.NextPage(t.Context())
					require.NoError(t, err)
					for _, o := range out.Contents {
						keys = append(keys, aws.ToString(o.Key))
					}
				}
				slices.Sort(keys)
				return keys
			},
			Exact: srv.name == "minio",
		})
	})
}
