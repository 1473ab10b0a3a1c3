package objstore

// SetFastStream sets the rate (bytes per second) of a first response
// from which the default settings read sequentially, for a test that
// cannot rely on the machine's speed; it returns the previous rate.
func SetFastStream(bytesPerSecond float64) (previous float64) {
	previous, fastStream = fastStream, bytesPerSecond
	return previous
}
