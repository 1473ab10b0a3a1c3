package metrics_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// testserver starts server processes from one OS thread that lives
		// as long as the test binary (see its onSpawnThread).
		goleak.IgnoreAnyFunction("github.com/objstore-dev/objstore/internal/testserver.onSpawnThread.func1"),
		goleak.IgnoreAnyFunction("github.com/objstore-dev/objstore/internal/testserver.onSpawnThread.func1.1"),
	)
}
