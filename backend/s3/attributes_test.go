package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestPresignedGetServesAttributes runs s3test.CheckPresignedGetServesAttributes
// on the raw driver, on MinIO and versitygw.
func TestPresignedGetServesAttributes(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		s3test.CheckPresignedGetServesAttributes(t, d)
	})
}
