package minio

// SetMaxParts lowers the part limit of multipart uploads for a test, so
// that the too-large path can be checked without writing 10,000 parts. It
// returns a function that restores the limit. Tests that use it must not
// run in parallel.
func SetMaxParts(n int) (restore func()) {
	old := maxParts
	maxParts = n
	return func() { maxParts = old }
}
