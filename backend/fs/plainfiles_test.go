package fs_test

import (
	"bytes"
	"context"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// fileSnap is what a test remembers of a file to prove nobody wrote it.
type fileSnap struct {
	data  string
	mtime time.Time
	attrs int // bytes of extended attribute names
}

// snapTree records every regular file under dir.
func snapTree(t *testing.T, dir string) map[string]fileSnap {
	t.Helper()
	out := map[string]fileSnap{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		fi, err := os.Stat(p)
		require.NoError(t, err)
		n, _ := unix.Listxattr(p, nil)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fileSnap{string(data), fi.ModTime(), n}
		return nil
	}))
	return out
}

// TestExistingDirectory: a directory of files that other programs wrote
// is a store as it is. Every file is an object (its bytes, the default
// content type, no metadata); List, Get, Stat and Remove work on it, and
// nothing is written until a key is overwritten.
func TestExistingDirectory(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.pcap":             "\xd4\xc3\xb2\xa1 pcap bytes",
		"logs/2026/app.log":  "line 1\nline 2\n",
		"logs/2026/empty":    "",
		"logs/other.txt":     "other",
		"photos/raw/img.jpg": strings.Repeat("j", 10000),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	before := snapTree(t, dir)
	dirsBefore := allFiles(t, dir)

	b, err := fs.New(dir)
	require.NoError(t, err)
	defer b.Close()
	assert.False(t, b.StatList(), "a directory that holds files may hold v1 files: List opens them")

	page, err := b.List(t.Context(), backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, len(files))
	for _, o := range page.Objects {
		assert.Equal(t, int64(len(files[o.Key])), o.Size, o.Key)
		st, err := b.Stat(t.Context(), o.Key)
		require.NoError(t, err)
		assert.Equal(t, o.ETag, st.ETag, o.Key)
		assert.Equal(t, backend.DefaultContentType, st.ContentType, o.Key)
		assert.Nil(t, st.Metadata, o.Key)
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(o.Key)))
		require.NoError(t, err)
		assert.True(t, fi.ModTime().Equal(st.LastModified), o.Key)
		assert.Equal(t, files[o.Key], readAll(t, b, o.Key), o.Key)
	}
	rc, _, err := b.Get(t.Context(), "photos/raw/img.jpg", backend.GetOptions{Offset: 9990, Length: 100})
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("j", 10), string(got))
	assert.Equal(t, before, snapTree(t, dir), "reading must write nothing")
	assert.Equal(t, dirsBefore, allFiles(t, dir), "opening and reading must create nothing")

	// The ETag changes whenever the content does, also in place and at
	// the same size.
	st1, err := b.Stat(t.Context(), "logs/other.txt")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logs", "other.txt"), []byte("OTHER"), 0o644))
	st2, err := b.Stat(t.Context(), "logs/other.txt")
	require.NoError(t, err)
	assert.NotEqual(t, st1.ETag, st2.ETag, "a rewrite in place must change the ETag")
	assert.Equal(t, "OTHER", readAll(t, b, "logs/other.txt"))

	// An overwrite stores the new format; Remove removes a plain file.
	_, err = b.Put(t.Context(), "a.pcap", strings.NewReader("new"), backend.PutOptions{Size: 3, ContentType: "application/vnd.tcpdump.pcap"})
	require.NoError(t, err)
	st, err := b.Stat(t.Context(), "a.pcap")
	require.NoError(t, err)
	assert.Equal(t, "application/vnd.tcpdump.pcap", st.ContentType)
	require.NoError(t, b.Remove(t.Context(), "logs/2026/app.log"))
	require.NoError(t, b.Remove(t.Context(), "logs/2026/empty"))
	assert.NoDirExists(t, filepath.Join(dir, "logs", "2026"), "the emptied directory is pruned")
	keys, err := listAll(t.Context(), b, "", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.pcap", "logs/other.txt", "photos/raw/img.jpg"}, keys)
}

// TestExistingDirectoryStreams: stream objects whose files carry no
// attributes (copied by a tool that drops them) read back in full.
func TestExistingDirectoryStreams(t *testing.T) {
	ctx := context.Background()
	src := newStore(t)
	c := objstore.New(src)
	w, err := c.PutStreamObject(ctx, "cap/eth0", map[string]string{"iface": "eth0"})
	require.NoError(t, err)
	var want bytes.Buffer
	for i := range 5 {
		chunk := bytes.Repeat([]byte{byte('a' + i)}, 100*(i+1))
		want.Write(chunk)
		_, err := w.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())

	// Copy the tree as plain files, without attributes.
	dst := t.TempDir()
	require.NoError(t, filepath.WalkDir(src.Dir(), func(p string, d iofs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(src.Dir(), p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	}))
	b, err := fs.New(dst)
	require.NoError(t, err)
	c2 := objstore.New(b)
	defer c2.Close()
	rc, err := c2.OpenStream(ctx, "cap/eth0", 0)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, want.String(), string(got))
	st, err := c2.StatObject(ctx, "cap/eth0")
	require.NoError(t, err)
	assert.True(t, st.IsStream)
	assert.Equal(t, int64(want.Len()), st.Size)
	require.NoError(t, c2.RemoveObjects(ctx, "cap/"))
	keys, err := listAll(ctx, b, "", 0)
	require.NoError(t, err)
	assert.Empty(t, keys)
}

// TestV1Store: files in the format of earlier versions (a header, then
// the data) read as before, with their metadata, in Get, Stat and List;
// an overwrite stores the new format.
func TestV1Store(t *testing.T) {
	dir := t.TempDir()
	type v1obj struct {
		data, ct string
		md       map[string]string
	}
	objs := map[string]v1obj{
		"caps/a.pcap": {"pcap \x00 bytes", "application/vnd.tcpdump.pcap", map[string]string{"host": "h1"}},
		"empty":       {"", "application/octet-stream", nil},
		"big":         {strings.Repeat("0123456789", 1000), "text/plain", map[string]string{"a": "1", "b": strings.Repeat("x", 500)}},
	}
	for k, o := range objs {
		p := filepath.Join(dir, filepath.FromSlash(k))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, fs.EncodeV1([]byte(o.data), o.ct, o.md), 0o644))
	}
	before := snapTree(t, dir)
	b, err := fs.New(dir)
	require.NoError(t, err)
	defer b.Close()

	page, err := b.List(t.Context(), backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, len(objs))
	for _, info := range page.Objects {
		o := objs[info.Key]
		assert.Equal(t, int64(len(o.data)), info.Size, "List must give the data's size: %s", info.Key)
		assert.Equal(t, o.ct, info.ContentType, info.Key)
		assert.Equal(t, o.md, info.Metadata, info.Key)
		st, err := b.Stat(t.Context(), info.Key)
		require.NoError(t, err)
		assert.Equal(t, info, st, "List and Stat agree: %s", info.Key)
		assert.Len(t, st.ETag, 32)
		assert.Equal(t, o.data, readAll(t, b, info.Key), info.Key)
	}
	rc, gi, err := b.Get(t.Context(), "big", backend.GetOptions{Offset: 9995, Length: 10})
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, "56789", string(got))
	assert.Equal(t, int64(10000), gi.Size)
	assert.Equal(t, before, snapTree(t, dir), "reading must write nothing")

	// An overwrite stores a plain file.
	_, err = b.Put(t.Context(), "caps/a.pcap", strings.NewReader("new bytes"), backend.PutOptions{Size: 9, Metadata: map[string]string{"host": "h2"}})
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(dir, "caps", "a.pcap"))
	require.NoError(t, err)
	assert.Equal(t, "new bytes", string(raw))
	st, err := b.Stat(t.Context(), "caps/a.pcap")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": "h2"}, st.Metadata)

	// A v1 file copied into a store made by this version reads as before
	// in Get and Stat.
	fresh := newStore(t)
	assert.True(t, fresh.StatList(), "an empty directory becomes a store that lists with stat data only")
	require.NoError(t, os.WriteFile(filepath.Join(fresh.Dir(), "old"), fs.EncodeV1([]byte("old data"), "text/plain", nil), 0o644))
	st, err = fresh.Stat(t.Context(), "old")
	require.NoError(t, err)
	assert.Equal(t, int64(8), st.Size)
	assert.Equal(t, "text/plain", st.ContentType)
	assert.Equal(t, "old data", readAll(t, fresh, "old"))
}

// TestListReadsStatOnly: in a store made by this version, List fills key,
// size, modification time and ETag from stat data, the same as Stat's,
// and leaves content type and metadata empty.
func TestListReadsStatOnly(t *testing.T) {
	b := newStore(t)
	_, err := b.Put(t.Context(), "d/k", strings.NewReader("data"), backend.PutOptions{Size: 4, ContentType: "text/plain", Metadata: map[string]string{"m": "v"}})
	require.NoError(t, err)
	page, err := b.List(t.Context(), backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	o := page.Objects[0]
	st, err := b.Stat(t.Context(), "d/k")
	require.NoError(t, err)
	assert.Equal(t, st.Size, o.Size)
	assert.Equal(t, st.ETag, o.ETag)
	assert.True(t, st.LastModified.Equal(o.LastModified))
	assert.Empty(t, o.ContentType)
	assert.Nil(t, o.Metadata)

	// The mark survives reopening; it lives on the root, not in the tree.
	b2, err := fs.New(b.Dir())
	require.NoError(t, err)
	defer b2.Close()
	assert.True(t, b2.StatList())
	assert.Equal(t, []string{"d", "d/k"}, allFiles(t, b.Dir()))
}

// TestETagsDiffer: quick overwrites of one key with data of one size
// (the file's inode may be reused) never repeat an ETag.
func TestETagsDiffer(t *testing.T) {
	b := newStore(t)
	seen := map[string]int{}
	for i := range 200 {
		info, err := b.Put(t.Context(), "k", strings.NewReader("same size"), backend.PutOptions{Size: 9})
		require.NoError(t, err)
		st, err := b.Stat(t.Context(), "k")
		require.NoError(t, err)
		require.Equal(t, info.ETag, st.ETag)
		if j, ok := seen[info.ETag]; ok {
			t.Fatalf("puts %d and %d have the same ETag %s", j, i, info.ETag)
		}
		seen[info.ETag] = i
	}
}

// TestAttrsOnTmpfs: a tmpfs that the test mounts keeps the attributes.
func TestAttrsOnTmpfs(t *testing.T) {
	dir := mountTmpfs(t, "16m")
	b, err := fs.New(dir)
	require.NoError(t, err)
	defer b.Close()
	assert.True(t, b.StatList())
	md := map[string]string{"host": "h1"}
	_, err = b.Put(t.Context(), "a/b", strings.NewReader("tmpfs"), backend.PutOptions{Size: 5, ContentType: "text/plain", Metadata: md})
	require.NoError(t, err)
	st, err := b.Stat(t.Context(), "a/b")
	require.NoError(t, err)
	assert.Equal(t, "text/plain", st.ContentType)
	assert.Equal(t, md, st.Metadata)
	raw, err := os.ReadFile(filepath.Join(dir, "a", "b"))
	require.NoError(t, err)
	assert.Equal(t, "tmpfs", string(raw))
}

// mountRamfs mounts a ramfs (no user extended attributes) on a fresh
// directory, unmounted on cleanup.
func mountRamfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a ramfs needs root (CI runs the tests as root)")
	}
	dir := t.TempDir()
	if err := syscall.Mount("ramfs", dir, "ramfs", 0, ""); err != nil {
		t.Fatalf("mount -t ramfs ramfs %s: %v (running as root, so this must work)", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestNoUserXattrs: on a file system without user extended attributes
// (ramfs), New refuses with ErrNotSupported and says what to do; with
// WithoutMetadata the store keeps plain files and refuses only what it
// cannot keep.
func TestNoUserXattrs(t *testing.T) {
	dir := mountRamfs(t)
	require.ErrorIs(t, unix.Setxattr(dir, "user.x", []byte("1"), 0), unix.EOPNOTSUPP, "ramfs must have no user attributes")

	_, err := fs.New(dir)
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), "extended attributes")
	assert.Contains(t, err.Error(), "WithoutMetadata")
	assert.Empty(t, allFiles(t, dir), "the refused New leaves nothing")
	_, err = backend.Open(t.Context(), "file://"+dir)
	require.ErrorIs(t, err, backend.ErrNotSupported)

	bb, err := backend.Open(t.Context(), "file://"+dir+"?metadata=none")
	require.NoError(t, err)
	require.NoError(t, bb.Close())
	b, err := fs.New(dir, fs.WithoutMetadata())
	require.NoError(t, err)
	defer b.Close()
	ctx := t.Context()
	info, err := b.Put(ctx, "x/y", strings.NewReader("plain"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	assert.Equal(t, "plain", readAll(t, b, "x/y"))
	st, err := b.Stat(ctx, "x/y")
	require.NoError(t, err)
	assert.Equal(t, info, st)
	assert.Equal(t, backend.DefaultContentType, st.ContentType)
	raw, err := os.ReadFile(filepath.Join(dir, "x", "y"))
	require.NoError(t, err)
	assert.Equal(t, "plain", string(raw))

	_, err = b.Put(ctx, "x/m", strings.NewReader("m"), backend.PutOptions{Size: 1, Metadata: map[string]string{"a": "b"}})
	assert.ErrorIs(t, err, backend.ErrNotSupported)
	_, err = b.Put(ctx, "x/c", strings.NewReader("c"), backend.PutOptions{Size: 1, ContentType: "text/plain"})
	assert.ErrorIs(t, err, backend.ErrNotSupported)
	_, err = b.Put(ctx, "x/v1", bytes.NewReader(fs.EncodeV1([]byte("d"), "text/plain", nil)), backend.PutOptions{Size: -1})
	assert.ErrorIs(t, err, backend.ErrNotSupported, "data that would read back as a v1 file")
	_, err = b.Put(ctx, "x/y", strings.NewReader("z"), backend.PutOptions{Size: 1, IfNotExist: true})
	assert.ErrorIs(t, err, backend.ErrExist)
	_, err = b.Put(ctx, "x/z", strings.NewReader("z"), backend.PutOptions{Size: 1, IfNotExist: true})
	require.NoError(t, err)

	keys, err := listAll(ctx, b, "", 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"x/y", "x/z"}, keys)
	require.NoError(t, removeAll(ctx, b, ""))
	assert.Empty(t, allFiles(t, dir), "no temp file or directory left")
}
