package gocloudtest_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread()) }
