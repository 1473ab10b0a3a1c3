package fs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// mkdirs creates the directories (slash paths relative to root).
func mkdirs(t *testing.T, root string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755))
	}
}

// TestPutClearsEmptyDirectoryTree: a tree of empty directories at the key
// (what a crash in RemoveObjects leaves) holds no objects, so Put replaces
// it, at every depth, with and without IfNotExist.
func TestPutClearsEmptyDirectoryTree(t *testing.T) {
	dir := t.TempDir()
	// No cleanup at New: Put itself must clear the trees.
	b, err := fs.New(dir, fs.WithStaleTempAge(-1))
	require.NoError(t, err)
	defer b.Close()
	for _, ifNotExist := range []bool{false, true} {
		key := fmt.Sprintf("logs-%v", ifNotExist)
		mkdirs(t, dir, key+"/a/b/c/d", key+"/a/x", key+"/e", key+"/f/g/h")
		_, err := b.Put(t.Context(), key, strings.NewReader(key), backend.PutOptions{Size: int64(len(key)), IfNotExist: ifNotExist})
		require.NoError(t, err, "Put(%q) over a tree of empty directories", key)
		assert.Equal(t, key, readAll(t, b, key))
		fi, err := os.Lstat(filepath.Join(dir, key))
		require.NoError(t, err)
		assert.True(t, fi.Mode().IsRegular())
	}
	// A key below an empty tree works as before.
	mkdirs(t, dir, "deep/a/b/c")
	putKeys(t, b, "deep/a/k")
	assert.Equal(t, []string{"deep/a/k", "logs-false", "logs-true"}, listKeys(t, b, "", 0))

	// Other empty directories are left alone: they are harmless, and one
	// may be the root of another store nested in this one.
	mkdirs(t, dir, "other/store")
	b2, err := fs.New(dir, fs.WithStaleTempAge(0))
	require.NoError(t, err)
	defer b2.Close()
	assert.DirExists(t, filepath.Join(dir, "other", "store"))
	assert.Equal(t, []string{"deep/a/k", "logs-false", "logs-true"}, listKeys(t, b2, "", 0))
}

// TestPutOverDirectoryWithNonObjects: when the directory at the key
// really holds something that is not an object, Put fails with ErrExist
// and says what is there (one path) and what to do, and keeps the files.
func TestPutOverDirectoryWithNonObjects(t *testing.T) {
	dir := t.TempDir()
	b, err := fs.New(dir, fs.WithStaleTempAge(-1))
	require.NoError(t, err)
	defer b.Close()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	tmp := fs.TempPrefix + "0123456789abcdef"
	write("foreign/a/b/notes.txt", "a plain file: an object")
	write("reserved/a/"+fs.ReservedPrefix+"x", "no key maps to this name")
	mkdirs(t, dir, "foreign/empty/x")
	write("temp/a/"+tmp, "half a put")
	mkdirs(t, dir, "link/sub")
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "link", "sub", "l")))
	mkdirs(t, dir, "fifo/a")
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo", "a", "p"), 0o644))
	putKeys(t, b, "obj/a/real")

	for _, tc := range []struct {
		key, path string
		says      []string
	}{
		{"foreign", "foreign/a/b/notes.txt", []string{`object "foreign/a/b/notes.txt" exists`}},
		{"reserved", "reserved/a/" + fs.ReservedPrefix + "x", []string{"no key maps to", "remove"}},
		{"temp", "temp/a/" + tmp, []string{"temp file", "RemoveStaleTemps"}},
		{"link", "link/sub/l", []string{"symbolic link", "remove"}},
		{"fifo", "fifo/a/p", []string{"not a regular file", "remove"}},
		{"obj", "obj/a/real", []string{`object "obj/a/real" exists`}},
	} {
		for _, ifNotExist := range []bool{false, true} {
			_, err := b.Put(t.Context(), tc.key, strings.NewReader("x"), backend.PutOptions{Size: 1, IfNotExist: ifNotExist})
			require.ErrorIs(t, err, backend.ErrExist, "Put(%q)", tc.key)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.key, be.Key)
			msg := err.Error()
			assert.Contains(t, msg, fmt.Sprintf("%q", tc.path), "the error must name what is in the way")
			for _, s := range tc.says {
				assert.Contains(t, msg, s)
			}
			assert.NotContains(t, msg, "holds temp files of puts in progress, or files", "the old catch-all reason")
		}
		_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(tc.path)))
		assert.NoError(t, err, "%s must be kept", tc.path)
	}
}
