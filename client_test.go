package objstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// Every goroutine the client starts (parallel ranged downloads, stream
// writers) ends by the time the call or reader that started it is done;
// every test of the package must end with none left behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread())
}

func TestClientMem(t *testing.T) {
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}

func TestClientFS(t *testing.T) {
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		b, err := fs.New(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}
