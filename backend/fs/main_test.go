package fs_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if crashChild() || removeCrashChild() || unprivChild() {
		return // never reached: the child blocks until it is killed
	}
	goleak.VerifyTestMain(m)
}
