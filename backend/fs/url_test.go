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

// openURL opens a store by URL and checks that it is an fs store in dir.
func openURL(t *testing.T, rawURL, dir string) *fs.Backend {
	t.Helper()
	bb, err := backend.Open(t.Context(), rawURL)
	require.NoError(t, err, "Open(%q)", rawURL)
	t.Cleanup(func() { bb.Close() })
	b, ok := bb.(*fs.Backend)
	require.True(t, ok, "Open(%q) gave a %T", rawURL, bb)
	assert.Equal(t, dir, b.Dir())
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	return b
}

func TestOpenURL(t *testing.T) {
	base := t.TempDir()

	b := openURL(t, "file://"+filepath.ToSlash(base)+"/abs/store", filepath.Join(base, "abs", "store"))
	assert.Equal(t, "file://"+filepath.ToSlash(filepath.Join(base, "abs", "store")), b.String())
	putKeys(t, b, "k")
	b2 := openURL(t, "file://localhost"+filepath.ToSlash(base)+"/abs/store", filepath.Join(base, "abs", "store"))
	assert.Equal(t, "k", readAll(t, b2, "k"), "two URLs of one directory share the objects")
	openURL(t, "file://"+filepath.ToSlash(base)+"/with%20space", filepath.Join(base, "with space"))

	t.Chdir(base)
	openURL(t, "file://./rel/dir", filepath.Join(base, "rel", "dir"))
	openURL(t, "file://.", base)

	// stale_temp_age=0s removes every temp file at open.
	tmp := filepath.Join(base, "rel", "dir", fs.TempPrefix+"x")
	require.NoError(t, os.WriteFile(tmp, []byte("partial"), 0o644))
	openURL(t, "file://./rel/dir?stale_temp_age=1h", filepath.Join(base, "rel", "dir"))
	_, err := os.Stat(tmp)
	require.NoError(t, err, "a fresh temp file was removed with stale_temp_age=1h")
	openURL(t, "file://./rel/dir?stale_temp_age=0s", filepath.Join(base, "rel", "dir"))
	_, err = os.Stat(tmp)
	assert.True(t, os.IsNotExist(err), "stale_temp_age=0s did not remove the temp file")
}

func TestOpenURLErrors(t *testing.T) {
	base := filepath.ToSlash(t.TempDir())
	for _, tc := range []struct{ url, want string }{
		{"file://host/dir", "file:///abs/dir"},
		{"file://", "no directory"},
		{"file:rel/dir", "file:///abs/dir"},
		{"file://user:secret@localhost/dir", "no user name"},
		{"file://" + base + "?bogus=1", "unknown query parameter"},
		{"file://" + base + "?stale_temp_age=soon", "stale_temp_age"},
	} {
		_, err := backend.Open(t.Context(), tc.url)
		require.Error(t, err, "Open(%q)", tc.url)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "Open(%q)", tc.url)
		assert.Contains(t, err.Error(), tc.want, "Open(%q)", tc.url)
		assert.NotContains(t, err.Error(), "secret", "Open(%q) leaks the password", tc.url)
	}
}

func TestNewOptions(t *testing.T) {
	_, err := fs.New("")
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = fs.New(t.TempDir(), fs.WithPermissions(0o644, 0o444))
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = fs.New(t.TempDir(), fs.WithPermissions(os.ModeSetuid|0o644, 0o755))
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	// A file where the directory should be.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = fs.New(file)
	require.Error(t, err)

	b := newStore(t, fs.WithPermissions(0o600, 0o700))
	putKeys(t, b, "d/k")
	fi, err := os.Stat(filepath.Join(b.Dir(), "d", "k"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(b.Dir(), "d"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	assert.True(t, strings.HasPrefix(b.String(), "file:///"))
}
