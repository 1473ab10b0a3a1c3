package minio_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestConformanceCopySmallParts runs the copy check with copies in parts
// of 5 MiB (instead of 5 GiB), so that its 6 MiB object is copied as a
// multipart upload of two part copies, as objects past 5 GiB are.
func TestConformanceCopySmallParts(t *testing.T) {
	defer minio.SetCopyPartSize(minio.MinPartSize)()
	srv := testserver.StartMinIO(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openDriver(t, srv, func(c *minio.Config) {
			c.PartSize = minio.MinPartSize
			c.Concurrency = 2
		})
	}, conformance.Only("copy"))
}

// TestCopyChecksums: a CopyObject keeps the source's CRC32C (also onto
// itself, replacing the attributes); a copy made of part copies (a
// create-only copy, or one past the size of a copy part) may have none
// (MinIO refuses part copies into an upload that declares a checksum), but
// never a wrong one. Either way a full read through the client verifies.
func TestCopyChecksums(t *testing.T) {
	defer minio.SetCopyPartSize(minio.MinPartSize)()
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	s3test.CheckCopyChecksums(t, d, minio.MinPartSize+1)
}
