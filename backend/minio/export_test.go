package minio

// SetMaxParts lowers the part limit of d's multipart uploads for a test,
// so that the too-large path can be checked without writing 10,000 parts.
// It returns a function that restores the limit.
func SetMaxParts(d *Driver, n int) (restore func()) {
	old := d.up.MaxParts
	d.up.MaxParts = n
	return func() { d.up.MaxParts = old }
}
