package minio_test

import (
	"context"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestAbortRetriedAcrossServerRestart runs
// s3test.CheckAbortRetriedAcrossServerRestart on the raw driver.
func TestAbortRetriedAcrossServerRestart(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	adm := admin(t, srv)
	s3test.CheckAbortRetriedAcrossServerRestart(t, s3test.Restartable{
		Backend: d,
		Server:  srv.Process,
		Uploads: func(key string) ([]string, error) {
			var out []string
			for u := range adm.ListIncompleteUploads(context.Background(), d.Bucket(), key, false) {
				if u.Err != nil {
					return nil, u.Err
				}
				out = append(out, u.Key+" "+u.UploadID)
			}
			return out, nil
		},
		Exists: func(t *testing.T, key string) bool {
			_, err := adm.StatObject(context.Background(), d.Bucket(), key, miniogo.StatObjectOptions{})
			if miniogo.ToErrorResponse(err).Code == "NoSuchKey" {
				return false
			}
			require.NoError(t, err)
			return true
		},
	})
}
