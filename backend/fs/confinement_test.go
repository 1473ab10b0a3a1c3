package fs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// fileState is what a snapshot records of one directory entry.
type fileState struct {
	Mode    iofs.FileMode
	Size    int64
	ModTime time.Time
	SHA256  string // of the content, or the target of a symbolic link
}

// snapshot records every entry under dir (without following symbolic
// links): names, modes, sizes, mtimes and contents. dirTimes false leaves
// out the mtimes of directories, which change when an entry is created
// and removed again.
func snapshot(t *testing.T, dir string, dirTimes bool) map[string]fileState {
	t.Helper()
	snap := map[string]fileState{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fileState{Mode: fi.Mode(), Size: fi.Size(), ModTime: fi.ModTime()}
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			st.SHA256 = hex.EncodeToString(sum[:])
		case fi.Mode()&iofs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			st.SHA256 = target
		case fi.IsDir():
			st.Size = 0 // directory sizes vary with the file system's bookkeeping
			if !dirTimes {
				st.ModTime = time.Time{}
			}
		}
		rel, _ := filepath.Rel(dir, p)
		snap[rel] = st
		return nil
	}))
	return snap
}

func TestConfinement(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	storeDir := filepath.Join(base, "store")

	// The outside directory is itself a valid store, so that a driver that
	// followed a link out would find well-formed objects there and could
	// not fail "by accident" on a missing header.
	ob, err := fs.New(outside)
	require.NoError(t, err)
	for _, k := range []string{"obj", "sub/deep", "x", "passwd"} {
		_, err := ob.Put(t.Context(), k, strings.NewReader("secret "+k), backend.PutOptions{Size: -1})
		require.NoError(t, err)
	}
	require.NoError(t, ob.Close())
	// A file that looks like a stale temp file: a cleanup that followed a
	// link would remove it.
	require.NoError(t, os.WriteFile(filepath.Join(outside, "sub", fs.TempPrefix+"looks-stale"), []byte("keep"), 0o644))
	old := time.Now().Add(-48 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(outside, "sub", fs.TempPrefix+"looks-stale"), old, old))

	b, err := fs.New(storeDir)
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Put(t.Context(), "own/obj", strings.NewReader("own"), backend.PutOptions{Size: 3})
	require.NoError(t, err)

	// Symbolic links inside the store that lead outside: relative and
	// absolute, to a directory and to a file, at the top and nested.
	require.NoError(t, os.MkdirAll(filepath.Join(storeDir, "nested"), 0o755))
	links := map[string]string{
		"dirlink":         "../outside",
		"absdirlink":      outside,
		"filelink":        "../outside/obj",
		"absfilelink":     filepath.Join(outside, "obj"),
		"nested/dirlink2": "../../outside",
		"own/uplink":      "..",              // inside the root: a loop for any walker that follows links
		"own/selflink":    "../own/selflink", // a link to itself
	}
	for name, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(storeDir, name)))
	}

	before := snapshot(t, base, true)
	beforeOutside := snapshot(t, outside, true)
	passwd, passwdErr := os.Stat("/etc/passwd")
	ctx := t.Context()

	t.Run("invalid keys and prefixes", func(t *testing.T) {
		for _, k := range []string{"../x", "/etc/passwd", "a/../../x", "../outside/obj", "..", "../", "./../x", "own/../../outside/obj", "own/obj/../../../outside/x"} {
			_, err := b.Put(ctx, k, strings.NewReader("evil"), backend.PutOptions{Size: 4})
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "Put(%q)", k)
			_, _, err = b.Get(ctx, k, backend.WholeObject)
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "Get(%q)", k)
			_, err = b.Stat(ctx, k)
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "Stat(%q)", k)
			assert.ErrorIs(t, b.Remove(ctx, k), backend.ErrInvalidKey, "Remove(%q)", k)
			assert.ErrorIs(t, b.RemoveMany(ctx, []string{"own/none", k}), backend.ErrInvalidKey, "RemoveMany(%q)", k)
		}
		for _, p := range []string{"../", "..", "../outside/", "own/../../", "own/../..", "/", "/etc/"} {
			_, err := b.List(ctx, backend.ListOptions{Prefix: p})
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "List(prefix %q)", p)
		}
	})

	t.Run("reads through links", func(t *testing.T) {
		for _, k := range []string{"dirlink/obj", "dirlink/sub/deep", "absdirlink/obj", "nested/dirlink2/obj", "filelink", "absfilelink", "own/uplink/own/obj/x", "own/selflink"} {
			rc, _, err := b.Get(ctx, k, backend.WholeObject)
			if rc != nil {
				data, _ := io.ReadAll(rc)
				rc.Close()
				t.Errorf("Get(%q) read %q through a link", k, data)
			}
			assert.Error(t, err, "Get(%q)", k)
			_, err = b.Stat(ctx, k)
			assert.Error(t, err, "Stat(%q)", k)
			if strings.HasPrefix(k, "own/") {
				assert.ErrorIs(t, err, backend.ErrNotFound, "Stat(%q) through a link that loops inside the store", k)
			} else {
				assert.ErrorIs(t, err, backend.ErrPermission, "Stat(%q) through a link that leads outside", k)
			}
		}
	})

	t.Run("lists", func(t *testing.T) {
		assert.Equal(t, []string{"own/obj"}, listKeys(t, b, "", 0), "only the store's own object is listed")
		assert.Equal(t, []string{"own/obj"}, listKeys(t, b, "", 1))
		for _, p := range []string{"dirlink/", "dirlink", "absdirlink/", "nested/", "nested/dirlink2/", "filelink", "abs", "own/uplink/", "own/selflink"} {
			assert.Empty(t, listKeys(t, b, p, 0), "List(prefix %q)", p)
		}
	})

	t.Run("writes through links", func(t *testing.T) {
		for _, k := range []string{"dirlink/new", "dirlink/obj", "dirlink/sub/deep", "absdirlink/sub/new", "nested/dirlink2/new", "nested/dirlink2/sub/deep/new", "filelink/new"} {
			for _, ifNotExist := range []bool{false, true} {
				_, err := b.Put(ctx, k, strings.NewReader("evil"), backend.PutOptions{Size: 4, IfNotExist: ifNotExist})
				assert.Error(t, err, "Put(%q, IfNotExist=%v) through a link", k, ifNotExist)
			}
		}
	})

	t.Run("removes through links", func(t *testing.T) {
		for _, k := range []string{"dirlink/obj", "dirlink/sub/deep", "absdirlink/x", "nested/dirlink2/passwd", "filelink/x", "dirlink/sub/" + fs.TempPrefix + "looks-stale"} {
			err := b.Remove(ctx, k)
			if err != nil {
				assert.ErrorIs(t, err, backend.ErrPermission, "Remove(%q)", k)
			}
		}
		_ = b.RemoveMany(ctx, []string{"dirlink/obj", "absdirlink/passwd", "nested/dirlink2/sub/deep"})
		n, _ := b.RemoveStaleTemps(ctx, 0)
		assert.Zero(t, n, "RemoveStaleTemps removed files although the store has no temp file")
	})

	// Nothing outside the store changed, and nothing appeared beside it.
	after := snapshot(t, base, true)
	for name, st := range before {
		if name == "store" || strings.HasPrefix(name, "store"+string(filepath.Separator)) {
			continue
		}
		assert.Equal(t, st, after[name], "%s changed", name)
	}
	for name := range after {
		if _, ok := before[name]; !ok && !strings.HasPrefix(name, "store") {
			t.Errorf("%s appeared outside the store", name)
		}
	}
	assert.Equal(t, beforeOutside, snapshot(t, outside, true))
	if passwdErr == nil {
		now, err := os.Stat("/etc/passwd")
		require.NoError(t, err)
		assert.Equal(t, passwd.ModTime(), now.ModTime())
		assert.Equal(t, passwd.Size(), now.Size())
	}

	// Replacing or removing a link at a key acts on the link, never on its
	// target: both are changes inside the store.
	t.Run("links at keys", func(t *testing.T) {
		_, err := b.Put(ctx, "absfilelink", strings.NewReader("replaced"), backend.PutOptions{Size: 8})
		require.NoError(t, err)
		assert.Equal(t, "replaced", readAll(t, b, "absfilelink"))
		fi, err := os.Lstat(filepath.Join(storeDir, "absfilelink"))
		require.NoError(t, err)
		assert.True(t, fi.Mode().IsRegular(), "the link was not replaced by the object")
		require.NoError(t, b.Remove(ctx, "filelink"))
		_, err = os.Lstat(filepath.Join(storeDir, "filelink"))
		assert.True(t, errors.Is(err, iofs.ErrNotExist), "Remove(filelink) kept the link: %v", err)
		assert.Equal(t, beforeOutside, snapshot(t, outside, true), "the link's target changed")
	})
}
