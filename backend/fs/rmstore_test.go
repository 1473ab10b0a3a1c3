package fs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// TestRemoveStore: an empty store directory is removed (with the empty
// directories below it), one that holds an object, a temp file or a
// foreign file is refused with ErrExist naming it and left as it is, a
// missing one is ErrNotFound; file:// URLs reach the same remover.
func TestRemoveStore(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "store")
	b, err := fs.New(dir)
	require.NoError(t, err)
	_, err = b.Put(ctx, "a/b/c.txt", strings.NewReader("data"), backend.PutOptions{Size: 4})
	require.NoError(t, err)

	err = fs.RemoveStore(ctx, dir)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), "remove-store")
	assert.Contains(t, err.Error(), `is not empty: it holds the object "a/b/c.txt"`)
	assert.Equal(t, "data", readAll(t, b, "a/b/c.txt"), "nothing removed")

	// Removing the object leaves the store empty (fs prunes directories;
	// empty ones another tool left are removed with the store).
	require.NoError(t, b.Remove(ctx, "a/b/c.txt"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "left", "over"), 0o755))
	require.NoError(t, b.Close())
	require.NoError(t, fs.RemoveStore(ctx, dir))
	assert.NoDirExists(t, dir)

	err = fs.RemoveStore(ctx, dir)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Contains(t, err.Error(), "does not exist")

	// A temp file and a file that no key maps to are named, never removed.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "d"), 0o755))
	temp := filepath.Join(dir, "d", ".objstore-tmp-0123456789abcdef")
	require.NoError(t, os.WriteFile(temp, nil, 0o600))
	err = fs.RemoveStore(ctx, dir)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), "temp file")
	assert.FileExists(t, temp)
	require.NoError(t, os.Remove(temp))
	require.NoError(t, os.Symlink("/nowhere", filepath.Join(dir, "d", "link")))
	err = fs.RemoveStore(ctx, dir)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), `"d/link", which is no object`)
	require.NoError(t, os.Remove(filepath.Join(dir, "d", "link")))

	// Through the registry, as objstore.RemoveStore calls it.
	require.NoError(t, backend.RemoveStore(ctx, "file://"+filepath.ToSlash(dir)+"?stale_temp_age=1h"))
	assert.NoDirExists(t, dir)
	assert.ErrorIs(t, backend.RemoveStore(ctx, "file://"+filepath.ToSlash(dir)), backend.ErrNotFound)
	assert.ErrorIs(t, backend.RemoveStore(ctx, "file://"+filepath.ToSlash(dir)+"?nope=1"), backend.ErrInvalidArgument)
	assert.ErrorIs(t, backend.RemoveStore(ctx, "file://host/x"), backend.ErrInvalidArgument)
}

// TestRemoveStoreNotADirectory: a path that is a file or a link to a
// directory is no store to remove; nothing is touched.
func TestRemoveStoreNotADirectory(t *testing.T) {
	ctx := t.Context()
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	assert.ErrorIs(t, fs.RemoveStore(ctx, file), backend.ErrInvalidArgument)
	assert.FileExists(t, file)

	target := filepath.Join(tmp, "target")
	require.NoError(t, os.Mkdir(target, 0o755))
	link := filepath.Join(tmp, "link")
	require.NoError(t, os.Symlink(target, link))
	err := fs.RemoveStore(ctx, link)
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "symbolic link")
	assert.DirExists(t, target)

	assert.ErrorIs(t, fs.RemoveStore(ctx, ""), backend.ErrInvalidArgument)
	assert.ErrorIs(t, fs.RemoveStore(ctx, "/"), backend.ErrInvalidArgument)
}
