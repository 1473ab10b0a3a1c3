package fs_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// corruptClient returns a client on a fresh fs store, and the store.
func corruptClient(t *testing.T) (*objstore.Client, *fs.Backend) {
	t.Helper()
	b := newStore(t)
	return objstore.New(b), b
}

// putCapture puts 1 MiB of varied bytes under key through the client and
// returns them.
func putCapture(t *testing.T, c *objstore.Client, key string) []byte {
	t.Helper()
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i*31 + i>>9)
	}
	_, err := c.PutObject(t.Context(), key, bytes.NewReader(data), map[string]string{"host": "sensor-1"})
	require.NoError(t, err)
	return data
}

// readWhole reads key through the client's GetObject and io.ReadAll.
func readWhole(t *testing.T, c *objstore.Client, key string) ([]byte, error) {
	t.Helper()
	rc, err := c.GetObject(t.Context(), key)
	require.NoError(t, err, "the damage shows when the bytes are read, not at open")
	defer rc.Close()
	return io.ReadAll(rc)
}

// wantCorrupt checks that err is ErrCorrupt for a get of key.
func wantCorrupt(t *testing.T, err error, key, what string) {
	t.Helper()
	require.Error(t, err, "%s: a full read must fail", what)
	assert.ErrorIs(t, err, objstore.ErrCorrupt, "%s", what)
	var be *backend.Error
	if assert.ErrorAs(t, err, &be, what) {
		assert.Equal(t, "get", be.Op, what)
		assert.Equal(t, key, be.Key, what)
	}
}

// TestCorruptObject damages object files on disk behind the driver's back,
// as a failing disk or a stray program would: a flipped byte (with the
// file's modification time put back, as bit rot leaves it), a flipped
// byte written by a program, a truncated file and an extended one. Each
// time a full read through the client fails with ErrCorrupt naming the
// key, where it would otherwise have returned wrong bytes and a clean
// io.EOF. Ranged reads are not verified (the client checks whole reads
// only) and still return the bytes on disk.
func TestCorruptObject(t *testing.T) {
	c, b := corruptClient(t)
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string, size int64)
	}{
		{"bit rot", func(t *testing.T, path string, size int64) {
			fi, err := os.Stat(path)
			require.NoError(t, err)
			flipByte(t, path, size/2)
			require.NoError(t, os.Chtimes(path, fi.ModTime(), fi.ModTime()))
		}},
		{"flipped byte", func(t *testing.T, path string, size int64) { flipByte(t, path, size-1) }},
		{"first byte", func(t *testing.T, path string, size int64) { flipByte(t, path, 0) }},
		{"truncated", func(t *testing.T, path string, size int64) { require.NoError(t, os.Truncate(path, size-100)) }},
		{"truncated to nothing", func(t *testing.T, path string, size int64) { require.NoError(t, os.Truncate(path, 0)) }},
		{"extended", func(t *testing.T, path string, size int64) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.Write([]byte("tail"))
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "caps/" + tc.name + ".pcap"
			data := putCapture(t, c, key)
			got, err := readWhole(t, c, key)
			require.NoError(t, err, "an intact object reads")
			require.Equal(t, data, got)

			tc.damage(t, filepath.Join(b.Dir(), filepath.FromSlash(key)), int64(len(data)))
			_, err = readWhole(t, c, key)
			wantCorrupt(t, err, key, tc.name)
			// The error stays: a second full read fails again.
			_, err = readWhole(t, c, key)
			wantCorrupt(t, err, key, tc.name+", read again")

			st, err := c.StatObject(t.Context(), key)
			require.NoError(t, err, "Stat does not read the bytes")
			assert.False(t, st.Checksum.IsZero())
			if tc.name == "truncated" {
				rc, err := c.GetObjectRange(t.Context(), key, 10, 100)
				require.NoError(t, err)
				part, err := io.ReadAll(rc)
				rc.Close()
				require.NoError(t, err, "a ranged read is not verified")
				assert.Equal(t, data[10:110], part)
			}

			// A put of the key replaces the damaged object with a sound one.
			data = putCapture(t, c, key)
			got, err = readWhole(t, c, key)
			require.NoError(t, err)
			assert.Equal(t, data, got)
		})
	}
}

// TestCorruptionIsNotLaundered: a copy inside the store (Copier) and a
// compose (Composer) of a damaged object carry its checksum, not one of
// the damaged bytes, so the damage still shows on their full reads.
func TestCorruptionIsNotLaundered(t *testing.T) {
	c, b := corruptClient(t)
	data := putCapture(t, c, "src")
	flipByte(t, filepath.Join(b.Dir(), "src"), 12345)

	info, err := c.CopyObject(t.Context(), "src", "copy", objstore.CopyOptions{})
	require.NoError(t, err)
	assert.True(t, info.ServerSide, "fs copies inside the store")
	_, err = readWhole(t, c, "copy")
	wantCorrupt(t, err, "copy", "a copy of a damaged object")

	if runtime.GOOS != "linux" {
		return // fs composes only on Linux
	}
	comp, ok := backend.As[backend.Composer](b)
	require.True(t, ok)
	_, err = c.PutObject(t.Context(), "head", bytes.NewReader([]byte("head")), nil)
	require.NoError(t, err)
	_, err = comp.Compose(t.Context(), "composed", []backend.ObjectInfo{{Key: "head", Size: 4}, {Key: "src", Size: int64(len(data))}}, backend.PutOptions{})
	require.NoError(t, err)
	_, err = readWhole(t, c, "composed")
	wantCorrupt(t, err, "composed", "a compose of a damaged object")
}

// TestForeignFilesUnverified: a file that another program put into the
// store (no attribute) has no checksum, and reads whole without any
// check, as do objects of the previous version's record.
func TestForeignFilesUnverified(t *testing.T) {
	c, b := corruptClient(t)
	require.NoError(t, os.WriteFile(filepath.Join(b.Dir(), "foreign.txt"), []byte("written by cp"), 0o644))
	st, err := c.StatObject(t.Context(), "foreign.txt")
	require.NoError(t, err)
	assert.True(t, st.Checksum.IsZero(), "checksum %s", st.Checksum)
	got, err := readWhole(t, c, "foreign.txt")
	require.NoError(t, err)
	assert.Equal(t, "written by cp", string(got))

	// An object whose file is replaced by another program (a new file
	// renamed over it, as editors and rsync do) loses the attribute with
	// the old file: it reads as a plain file, unverified.
	putCapture(t, c, "edited")
	p := filepath.Join(b.Dir(), "edited")
	require.NoError(t, os.WriteFile(p+".new", []byte("new content"), 0o644))
	require.NoError(t, os.Rename(p+".new", p))
	got, err = readWhole(t, c, "edited")
	require.NoError(t, err)
	assert.Equal(t, "new content", string(got))
}

// flipByte inverts the byte at off of the file at path, in place.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	b := make([]byte, 1)
	_, err = f.ReadAt(b, off)
	require.NoError(t, err)
	b[0] ^= 0xff
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
}
