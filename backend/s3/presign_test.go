package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestPresignMethods checks URLs of every method on MinIO and versitygw,
// which both check signatures.
func TestPresignMethods(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		s3test.CheckSigV4Methods(t, d, d, srv.secretKey)
	})
}
