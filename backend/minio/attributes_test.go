package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestPresignedGetServesAttributes runs s3test.CheckPresignedGetServesAttributes
// on the raw driver.
func TestPresignedGetServesAttributes(t *testing.T) {
	srv := testserver.StartMinIO(t)
	s3test.CheckPresignedGetServesAttributes(t, openDriver(t, srv, nil))
}
