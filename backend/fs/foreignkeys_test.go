package fs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// TestForeignFiles: a directory that other programs wrote to holds files
// that no key maps to. They are never listed, read, or removed
// (docs/foreign-keys.md), and they never make a listing or RemoveObjects
// fail. A plain file that a key maps to is an object (TestExistingDirectory).
func TestForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := fs.New(dir)
	require.NoError(t, err)
	c := objstore.New(b)
	t.Cleanup(func() { c.Close() })

	for _, k := range []string{"photos/2026/a.jpg", "docs/readme.txt"} {
		_, err := c.PutObject(ctx, k, strings.NewReader(k), nil)
		require.NoError(t, err)
	}
	// Files of other programs, next to objstore's, whose names no key maps
	// to: a control character, invalid UTF-8, the driver's reserved
	// prefix, and a temp file's name.
	foreign := []string{
		"photos/bad\nname",
		"photos/\xff.bin",
		"photos/.objstore-other",
		"photos/2026/.objstore-tmp-x",
		".objstore-top-level",
	}
	for _, f := range foreign {
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(f)), []byte("not objstore's"), 0o644), f)
	}

	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"docs/readme.txt", "photos/2026/a.jpg"}, keys, "only objects are listed")

	_, err = c.StatObject(ctx, "photos/bad\nname")
	assert.ErrorIs(t, err, objstore.ErrInvalidKey)

	require.NoError(t, c.RemoveObjects(ctx, "photos/"), "files of other programs do not make RemoveObjects fail")
	keys, err = c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"docs/readme.txt"}, keys)

	require.NoError(t, c.RemoveObjects(ctx, ""))
	keys, err = c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, keys)
	assert.NoDirExists(t, filepath.Join(dir, "docs"), "the emptied directory is pruned")
	for _, f := range foreign {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		require.NoError(t, err, "%q is left alone", f)
		assert.Equal(t, "not objstore's", string(got), "%q is left alone", f)
	}
}

// TestForeignFilesRemoveMany: RemoveMany reports every key that maps to no
// path inside the root on its own, also when the keys claim to come from a
// listing, and removes the others.
func TestForeignFilesRemoveMany(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	outside := filepath.Join(filepath.Dir(dir), filepath.Base(dir)+"-outside")
	require.NoError(t, os.WriteFile(outside, []byte("outside"), 0o644))
	t.Cleanup(func() { os.Remove(outside) })
	b, err := fs.New(dir)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	for _, k := range []string{"a", "b/c"} {
		_, err := b.Put(ctx, k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))})
		require.NoError(t, err)
	}
	for _, rctx := range []context.Context{ctx, backend.WithListedKeys(ctx)} {
		_, err := b.Put(ctx, "a", strings.NewReader("a"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		bad := []string{"../" + filepath.Base(outside), "/etc/passwd", "b/", "", "x//y"}
		err = b.RemoveMany(rctx, append([]string{"a"}, bad...))
		require.ErrorIs(t, err, backend.ErrInvalidKey)
		assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), len(bad), "one error per refused key")
		_, err = b.Stat(ctx, "a")
		assert.ErrorIs(t, err, backend.ErrNotFound, "the valid key is removed")
		_, err = b.Stat(ctx, "b/c")
		assert.NoError(t, err, `"b/" does not reach "b/c"`)
		got, err := os.ReadFile(outside)
		require.NoError(t, err)
		assert.Equal(t, "outside", string(got), "never a file outside the root")
	}
}
