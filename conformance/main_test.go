package conformance_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The leaky defects of defect_test.go stop their goroutines in the
// backend's cleanup, so nothing may be left when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
