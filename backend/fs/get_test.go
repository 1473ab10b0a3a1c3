package fs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

func TestGetReader(t *testing.T) {
	b := newStore(t)
	data := strings.Repeat("0123456789", 10000)
	putKeys(t, b, "k")
	_, err := b.Put(t.Context(), "big", strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)

	t.Run("range", func(t *testing.T) {
		rc, info, err := b.Get(t.Context(), "big", backend.GetOptions{Offset: 12345, Length: 100})
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, data[12345:12445], string(got))
		assert.Equal(t, int64(len(data)), info.Size)
	})

	t.Run("close is idempotent", func(t *testing.T) {
		rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		require.NoError(t, rc.Close())
		_, err = rc.Read(make([]byte, 1))
		assert.Error(t, err, "Read after Close")
	})

	t.Run("context ends the reader", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		rc, _, err := b.Get(ctx, "big", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		_, err = io.ReadFull(rc, make([]byte, 10))
		require.NoError(t, err)
		cancel()
		_, err = io.ReadAll(rc)
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("a file truncated behind the driver's back is an error", func(t *testing.T) {
		_, err := b.Put(t.Context(), "trunc", strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		rc, _, err := b.Get(t.Context(), "trunc", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		fi, err := os.Stat(filepath.Join(b.Dir(), "trunc"))
		require.NoError(t, err)
		require.NoError(t, os.Truncate(filepath.Join(b.Dir(), "trunc"), fi.Size()-10))
		got, err := io.ReadAll(rc)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Less(t, len(got), len(data))
		// Afterwards the object is the shorter file, with another ETag.
		st, err := b.Stat(t.Context(), "trunc")
		require.NoError(t, err)
		assert.Equal(t, fi.Size()-10, st.Size)
	})

	t.Run("a reader keeps its version across an overwrite", func(t *testing.T) {
		rc, _, err := b.Get(t.Context(), "big", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		putKeys(t, b, "big") // now holds "big"
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, data, string(got))
		assert.Equal(t, "big", readAll(t, b, "big"))
	})
}

func TestClose(t *testing.T) {
	b, err := fs.New(t.TempDir())
	require.NoError(t, err)
	putKeys(t, b, "k")
	rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
	require.NoError(t, err)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")

	got, err := io.ReadAll(rc)
	require.NoError(t, err, "a reader opened before Close stays usable")
	assert.Equal(t, "k", string(got))
	require.NoError(t, rc.Close())

	ctx := t.Context()
	_, err = b.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, _, err = b.Get(ctx, "k", backend.WholeObject)
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, err = b.Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, err = b.List(ctx, backend.ListOptions{})
	assert.ErrorIs(t, err, backend.ErrClosed)
	assert.ErrorIs(t, b.Remove(ctx, "k"), backend.ErrClosed)
	assert.ErrorIs(t, b.RemoveMany(ctx, []string{"k"}), backend.ErrClosed)
	_, err = b.RemoveStaleTemps(ctx, 0)
	assert.ErrorIs(t, err, backend.ErrClosed)
}
