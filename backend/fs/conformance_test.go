package fs_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/conformance"
)

// newStore opens a store on a fresh temporary directory, closed on cleanup.
func newStore(t *testing.T, opts ...fs.Option) *fs.Backend {
	t.Helper()
	b, err := fs.New(t.TempDir(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend { return newStore(t) })
}
