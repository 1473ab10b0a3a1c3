package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestListNoEmptyLastPage(t *testing.T) {
	s3test.CheckListNoEmptyLastPage(t, openDriver(t, testserver.StartMinIO(t), nil))
}
