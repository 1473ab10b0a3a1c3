package s3

// SetMaxParts lowers the 10,000-part limit of a driver, so that a test can
// reach it with a few megabytes.
func SetMaxParts(d *Driver, n int) { d.up.MaxParts = n }
