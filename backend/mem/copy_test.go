package mem

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// A copy shares the stored bytes (no copy of the data) and is its own
// object: removing or replacing the source leaves it as it was.
func TestCopySharesBytes(t *testing.T) {
	ctx := t.Context()
	b := New()
	data := bytes.Repeat([]byte("x"), 1<<20)
	_, err := b.Put(ctx, "src", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)
	info, err := b.Copy(ctx, "dst", "src", backend.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v"}, info.Metadata)
	assert.Same(t, &b.s.objects["src"].data[0], &b.s.objects["dst"].data[0], "the copy shares the source's bytes")

	_, err = b.Put(ctx, "src", bytes.NewReader([]byte("new")), backend.PutOptions{Size: 3})
	require.NoError(t, err)
	require.NoError(t, b.Remove(ctx, "src"))
	rc, got, err := b.Get(ctx, "dst", backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	assert.Equal(t, int64(len(data)), got.Size)
	assert.Equal(t, map[string]string{"k": "v"}, got.Metadata)

	_, err = b.Copy(ctx, "dst2", "missing", backend.CopyOptions{})
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, backend.ErrNotFound)
	assert.Equal(t, "missing", be.Key)
}
