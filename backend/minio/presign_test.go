package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestPresignMethods checks URLs of every method on MinIO, which checks
// signatures.
func TestPresignMethods(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	s3test.CheckSigV4Methods(t, d, d, srv.SecretKey)
}
