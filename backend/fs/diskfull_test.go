//go:build linux

package fs_test

import (
	"bytes"
	iofs "io/fs"
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

// mountTmpfs mounts a tmpfs of the given size (mount(8) syntax, "1m") on
// a fresh directory, unmounted on cleanup. It needs root; the test is
// skipped otherwise (CI runs as root, so there it always runs).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a small tmpfs to fill it needs root (CI runs the tests as root)")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mount -t tmpfs -o size=%s tmpfs %s: %v (running as root, so this must work)", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// allFiles lists every file and directory under dir, relative to it.
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, _ iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	}))
	return names
}

func TestDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "1m")
	b, err := fs.New(dir)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() }) // before the unmount (cleanups run last first)

	big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20/16) // 2 MiB on a 1 MiB file system
	for _, size := range []int64{int64(len(big)), -1} {
		for _, ifNotExist := range []bool{false, true} {
			_, err := b.Put(t.Context(), "deep/dir/big", bytes.NewReader(big), backend.PutOptions{Size: size, IfNotExist: ifNotExist})
			require.Error(t, err, "a 2 MiB put on a 1 MiB file system succeeded")
			assert.ErrorIs(t, err, syscall.ENOSPC)
			assert.ErrorIs(t, err, backend.ErrTooLarge)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, "deep/dir/big", be.Key)
			assert.Contains(t, err.Error(), "no space left on device")
			assert.Empty(t, allFiles(t, dir), "a failed put left files or directories behind (size %d)", size)
		}
	}

	// An existing object survives a failed overwrite, and the space of the
	// failed put is free again.
	_, err = b.Put(t.Context(), "keep", strings.NewReader("kept"), backend.PutOptions{Size: 4})
	require.NoError(t, err)
	_, err = b.Put(t.Context(), "keep", bytes.NewReader(big), backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Equal(t, "kept", readAll(t, b, "keep"))
	assert.Equal(t, []string{"keep"}, allFiles(t, dir))
	half := big[:512<<10]
	_, err = b.Put(t.Context(), "half", bytes.NewReader(half), backend.PutOptions{Size: int64(len(half))})
	require.NoError(t, err, "the space of the failed puts was not freed")
	assert.Equal(t, []string{"half", "keep"}, listKeys(t, b, "", 0))
}
