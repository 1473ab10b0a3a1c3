package minio

import "github.com/objstore-dev/objstore/internal/s3core"

// SetCopyPartSize lowers the size past which Copy copies in parts (and
// the size of those parts) for a test, so that the multipart copy can be
// checked without a 5 GiB object. It returns a function that restores
// it. Tests that use it must not run in parallel.
func SetCopyPartSize(n int64) (restore func()) {
	old := s3core.CopyPartSize
	s3core.CopyPartSize = n
	return func() { s3core.CopyPartSize = old }
}
