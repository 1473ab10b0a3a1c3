package s3_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestTrickyKeys runs s3test.CheckTrickyKeys on MinIO, which refuses more
// names than S3 does.
func TestTrickyKeys(t *testing.T) {
	srv := servers[0].start(t)
	require.Equal(t, "minio", srv.name)
	d, _ := srv.openRaw(t)
	s3test.CheckTrickyKeys(t, d)
}
