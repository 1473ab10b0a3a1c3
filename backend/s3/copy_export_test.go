package s3

// SetCopyPartSize lowers the size past which Copy copies in parts (and
// the size of those parts) for a test, so that the multipart copy can be
// checked without a 5 GiB object. It returns a function that restores
// it. Tests that use it must not run in parallel.
func SetCopyPartSize(n int64) (restore func()) {
	old := copyPartSize
	copyPartSize = n
	return func() { copyPartSize = old }
}
