package conformance

import (
	"testing"
	"time"
)

// SetLeakWait shortens the wait of the leak checks for one test.
func SetLeakWait(t testing.TB, d time.Duration) {
	old := leakWait
	leakWait = d
	t.Cleanup(func() { leakWait = old })
}
