package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestTrickyKeys runs s3test.CheckTrickyKeys on MinIO, which refuses more
// names than S3 does.
func TestTrickyKeys(t *testing.T) {
	srv := testserver.StartMinIO(t)
	s3test.CheckTrickyKeys(t, openDriver(t, srv, nil))
}
