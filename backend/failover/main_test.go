package failover

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestMain checks that no test leaves a goroutine behind: the prober of
// every Backend, the watchdogs, the proxies and the servers' helpers must
// all be gone. testserver keeps one process-spawning thread for the life
// of the binary on purpose.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread())
}

// newBackend opens a Backend over cfg, closed at the end of the test.
func newBackend(t *testing.T, cfg Config) *Backend {
	t.Helper()
	b, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// randomBytes returns n bytes from a seeded generator.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// getAll reads a whole object through be.
func getAll(t *testing.T, be backend.Backend, key string) []byte {
	t.Helper()
	rc, _, err := be.Get(context.Background(), key, backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

// assertSameBytes compares two byte slices by content, reporting sizes and
// digests instead of dumping the bytes.
func assertSameBytes(t *testing.T, want, got []byte) bool {
	t.Helper()
	if bytes.Equal(want, got) {
		return true
	}
	t.Errorf("bytes differ: want %d bytes (sha256 %x), got %d bytes (sha256 %x)",
		len(want), sha256.Sum256(want), len(got), sha256.Sum256(got))
	return false
}
