package minio_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestForeignKeys runs drivertest.CheckForeignKeys, filling the bucket with
// minio-go, on what users get from New and minio:// URLs (the driver
// behind failover) and on the raw driver of one endpoint. MinIO stores
// and lists every foreign key as it is.
func TestForeignKeys(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := admin(t, srv)
	for _, name := range []string{"New", "NewEndpoint"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg := baseConfig(t, srv)
			var b backend.Backend
			var err error
			if name == "New" {
				b, err = minio.New(ctx, cfg)
			} else {
				b, err = minio.NewEndpoint(ctx, cfg, srv.Endpoint)
			}
			require.NoError(t, err)
			drivertest.CheckForeignKeys(t, drivertest.Foreign{
				Backend: b,
				Put: func(t *testing.T, key, data string) error {
					_, err := adm.PutObject(t.Context(), cfg.Bucket, key, strings.NewReader(data), int64(len(data)), miniogo.PutObjectOptions{})
					return err
				},
				List: func(t *testing.T, prefix string) []string {
					var keys []string
					for o := range adm.ListObjects(t.Context(), cfg.Bucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
						require.NoError(t, o.Err)
						keys = append(keys, o.Key)
					}
					slices.Sort(keys)
					return keys
				},
				Exact: true,
			})
		})
	}
}
