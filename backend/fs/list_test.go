package fs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// putKeys stores each key with its own name as content.
func putKeys(t *testing.T, b backend.Backend, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, err := b.Put(t.Context(), k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))})
		require.NoError(t, err, "Put(%q)", k)
	}
}

// withPrefix returns the sorted keys that start with prefix.
func withPrefix(keys []string, prefix string) []string {
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestListByteOrderAcrossDirectories(t *testing.T) {
	b := newStore(t)
	// A directory walk would give a/... before a-b and a.b; byte order
	// puts '-' (0x2d) and '.' (0x2e) before '/' (0x2f) and '0' after it.
	keys := []string{
		"a/b", "a-b", "a.b", "a0", "a/b-c", "a/c/d", "a/c.d", "a/c-d/e", "a/c0",
		"!", ".x", "A", "Z", "é", "😀", "~",
		fs.TempPrefix + "looks-like-a-temp", "dir/" + fs.ReservedPrefix + "k-x", fs.ReservedPrefix,
	}
	putKeys(t, b, keys...)
	for _, prefix := range []string{"", "a", "a/", "a/c", "a/c/", "a/c-", "a-", ".o", fs.ReservedPrefix, "dir/", "dir/.o", "nomatch", "a/nomatch/", "a/c/d/"} {
		want := withPrefix(keys, prefix)
		for _, size := range []int{1, 2, 3, 1000} {
			assert.Equal(t, want, listKeys(t, b, prefix, size), "prefix %q, page size %d", prefix, size)
		}
	}
}

func TestListTokenIsStateless(t *testing.T) {
	dir := t.TempDir()
	b1, err := fs.New(dir)
	require.NoError(t, err)
	keys := []string{"k/1", "k/2", "k/3/x", "k/4", "k5"}
	putKeys(t, b1, keys...)
	page, err := b1.List(t.Context(), backend.ListOptions{PageSize: 2})
	require.NoError(t, err)
	require.Equal(t, "k/2", page.NextToken)
	require.NoError(t, b1.Close())

	// The token works on another handle, and twice.
	b2, err := fs.New(dir)
	require.NoError(t, err)
	defer b2.Close()
	for range 2 {
		next, err := b2.List(t.Context(), backend.ListOptions{PageSize: 2, Token: page.NextToken})
		require.NoError(t, err)
		assert.Equal(t, []string{"k/3/x", "k/4"}, keysOf(next.Objects))
		assert.Equal(t, "k/4", next.NextToken)
	}
	// The token's key may be gone: the listing goes on after it.
	require.NoError(t, b2.Remove(t.Context(), "k/2"))
	next, err := b2.List(t.Context(), backend.ListOptions{PageSize: 10, Token: page.NextToken})
	require.NoError(t, err)
	assert.Equal(t, []string{"k/3/x", "k/4", "k5"}, keysOf(next.Objects))
	assert.Empty(t, next.NextToken, "the last page must have no token")
	// A token inside a removed directory's subtree.
	next, err = b2.List(t.Context(), backend.ListOptions{Token: "k/3/"})
	require.NoError(t, err)
	assert.Equal(t, []string{"k/3/x", "k/4", "k5"}, keysOf(next.Objects))
}

func keysOf(objs []backend.ObjectInfo) []string {
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// TestListWideDirectory lists a directory far wider than a page, full of
// empty directories and symbolic links (never objects), in small pages: the
// walk keeps only some entries per directory and, where objects are
// sparse, must read it again to go on, without losing or repeating a key.
func TestListWideDirectory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries int
		every   int   // one object in every this many entries
		sizes   []int // page sizes
	}{
		{"dense", 1200, 3, []int{5, 1000}},
		// Gaps wider than the entries a walk keeps per directory.
		{"sparse", 3000, 1100, []int{1, 2, 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newStore(t)
			require.NoError(t, os.Mkdir(filepath.Join(b.Dir(), "w"), 0o755))
			var keys []string
			for i := range tc.entries {
				name := fmt.Sprintf("w/%04d", i)
				p := filepath.Join(b.Dir(), filepath.FromSlash(name))
				switch {
				case i%tc.every == 0:
					keys = append(keys, name)
				case i%2 == 0:
					require.NoError(t, os.Mkdir(p, 0o755))
				default:
					require.NoError(t, os.Symlink("nowhere", p))
				}
			}
			putKeys(t, b, keys...)
			for _, size := range tc.sizes {
				assert.Equal(t, keys, listKeys(t, b, "", size), "page size %d", size)
				assert.Equal(t, keys, listKeys(t, b, "w/", size), "page size %d", size)
			}
			assert.Equal(t, withPrefix(keys, "w/12"), listKeys(t, b, "w/12", 1))
			assert.Equal(t, withPrefix(keys, "w/2"), listKeys(t, b, "w/2", 1))
		})
	}
}

// TestListSkipsNonObjects puts entries the driver did not write into the
// store: every regular file that a key maps to is an object, whatever it
// holds (a file that merely starts like a header of the v1 format is read
// as it is); temp files, reserved and unmappable names, symbolic links,
// pipes and empty directories are never listed, and Get and Stat report
// the entries at keys missing.
func TestListSkipsNonObjects(t *testing.T) {
	b := newStore(t)
	putKeys(t, b, "d/obj", "top")
	root := b.Dir()
	write := func(name, content string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	complete, err := os.ReadFile(filepath.Join(root, "top"))
	require.NoError(t, err)
	// A temp file holding a complete object: still never listed.
	write("d/"+fs.TempPrefix+"0123", string(complete))
	// Other reserved names.
	write(fs.ReservedPrefix+"lock", string(complete))
	// Plain files, and files that start like a v1 header but are not one:
	// all objects, read as they are.
	v1 := fs.EncodeV1([]byte("v1 data"), "text/plain", nil)
	plain := map[string]string{
		"foreign.txt":     "hello",
		"d/broken":        fs.Magic + "{not json}\nxyz",
		"d/truncated":     string(v1[:len(v1)-1]),
		"d/longer":        string(v1) + "extra",
		"d/unterminated":  fs.Magic + strings.Repeat("x", 20000),
		"d/magic-only":    fs.Magic,
		"d/shorter-magic": fs.Magic[:5],
	}
	for k, v := range plain {
		write(k, v)
	}
	// A name that no key maps to (invalid UTF-8), a symbolic link to an
	// object, a named pipe, and empty directories.
	write("bad\xffname", string(complete))
	require.NoError(t, os.Symlink("top", filepath.Join(root, "link")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "d", "fifo"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "empty", "deeper"), 0o755))

	want := []string{"d/broken", "d/longer", "d/magic-only", "d/obj", "d/shorter-magic", "d/truncated", "d/unterminated", "foreign.txt", "top"}
	assert.Equal(t, want, listKeys(t, b, "", 0))
	assert.Equal(t, want, listKeys(t, b, "", 1))
	for k, v := range plain {
		assert.Equal(t, v, readAll(t, b, k), "Get(%q)", k)
		st, err := b.Stat(t.Context(), k)
		require.NoError(t, err)
		assert.Equal(t, int64(len(v)), st.Size, "Stat(%q)", k)
		assert.Equal(t, backend.DefaultContentType, st.ContentType, "Stat(%q)", k)
	}
	for _, k := range []string{"d/fifo", "empty", "empty/deeper", "d"} {
		_, err := b.Stat(t.Context(), k)
		assert.ErrorIs(t, err, backend.ErrNotFound, "Stat(%q)", k)
		_, _, err = b.Get(t.Context(), k, backend.WholeObject)
		assert.ErrorIs(t, err, backend.ErrNotFound, "Get(%q)", k)
	}
	// Put replaces a foreign file; a create-only put does not.
	_, err = b.Put(t.Context(), "foreign.txt", strings.NewReader("x"), backend.PutOptions{Size: 1, IfNotExist: true})
	assert.ErrorIs(t, err, backend.ErrExist)
	putKeys(t, b, "foreign.txt")
	assert.Equal(t, "foreign.txt", readAll(t, b, "foreign.txt"))
}
