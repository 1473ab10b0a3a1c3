package fs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// FuzzKeyToPath checks the mapping from keys to files: every key that
// ValidateKey accepts maps to a path inside the root that is not a temp
// file, maps back to the same key, and round-trips through Put, List,
// Get and Remove; every key it rejects, and every valid key the file
// system cannot hold (a segment longer than NAME_MAX), is refused with
// ErrInvalidKey without touching the disk. The seed corpus is in
// testdata/fuzz/FuzzKeyToPath; `make fuzz` explores further.
func FuzzKeyToPath(f *testing.F) {
	for _, k := range []string{"a", "a/b/c", "a-b", ".hidden", fs.TempPrefix + "1", fs.ReservedPrefix + "k-x", "../x", "a\x00b"} {
		f.Add(k)
	}
	// One store for every input: each input leaves it empty again (that
	// is checked), and fuzzing spends its time on keys, not on setup.
	base := f.TempDir()
	root := filepath.Join(base, "store")
	b, err := fs.New(root)
	require.NoError(f, err)
	f.Cleanup(func() { b.Close() })
	f.Fuzz(func(t *testing.T, key string) {

		p, perr := fs.KeyToPath("put", key)
		if verr := backend.ValidateKey("put", key); verr != nil || perr != nil {
			require.ErrorIs(t, perr, backend.ErrInvalidKey, "KeyToPath(%q)", key)
			if verr == nil {
				// A valid key that no file can hold: some segment's file
				// name (escaped) is longer than NAME_MAX.
				long := false
				for _, seg := range strings.Split(key, "/") {
					long = long || len(seg) > fs.MaxNameLen-2
				}
				require.True(t, long, "valid key %q refused: %v", key, perr)
			}
			_, err := b.Put(t.Context(), key, strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.ErrorIs(t, err, backend.ErrInvalidKey)
			_, err = b.Stat(t.Context(), key)
			require.ErrorIs(t, err, backend.ErrInvalidKey)
			_, _, err = b.Get(t.Context(), key, backend.WholeObject)
			require.ErrorIs(t, err, backend.ErrInvalidKey)
			require.ErrorIs(t, b.Remove(t.Context(), key), backend.ErrInvalidKey)
			entries, err := os.ReadDir(base)
			require.NoError(t, err)
			require.Len(t, entries, 1, "a refused key created files beside the store")
			entries, err = os.ReadDir(root)
			require.NoError(t, err)
			require.Empty(t, entries, "a refused key created files in the store")
			return
		}

		// The path stays inside the root and is never a temp file.
		native := filepath.FromSlash(p)
		require.True(t, filepath.IsLocal(native), "path %q of key %q is not local", p, key)
		full := filepath.Join(root, native)
		require.True(t, strings.HasPrefix(full, root+string(filepath.Separator)), "path %q of key %q leaves the root", full, key)
		for _, name := range strings.Split(p, "/") {
			require.NotEqual(t, "..", name)
			require.False(t, fs.IsTempName(name), "key %q maps to the temp name %q", key, name)
			require.LessOrEqual(t, len(name), fs.MaxNameLen)
		}
		back, ok := fs.PathToKey(p)
		require.True(t, ok, "PathToKey(%q) refused the path of key %q", p, key)
		require.Equal(t, key, back)

		// And the key round-trips through the store.
		data := []byte("data of " + key)
		_, err := b.Put(t.Context(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		fi, err := os.Lstat(full)
		require.NoError(t, err, "the object of %q is not at %q", key, full)
		require.True(t, fi.Mode().IsRegular())
		assert.Equal(t, []string{key}, listKeys(t, b, "", 0))
		assert.Equal(t, []string{key}, listKeys(t, b, key, 1))
		assert.Equal(t, string(data), readAll(t, b, key))
		require.NoError(t, b.Remove(t.Context(), key))
		entries, err := os.ReadDir(root)
		require.NoError(t, err)
		require.Empty(t, entries, "Remove(%q) left files or directories", key)
	})
}
