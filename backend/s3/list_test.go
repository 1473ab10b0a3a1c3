package s3_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestListNoEmptyLastPage runs on MinIO, whose IsTruncated says more
// follow on a last page, and on versitygw.
func TestListNoEmptyLastPage(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		s3test.CheckListNoEmptyLastPage(t, d)
	})
}
