package reliability_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/internal/testserver"
)

// Every test must end with no goroutine of a driver left behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread())
}
