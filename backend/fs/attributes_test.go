//go:build linux

package fs_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// TestPreviousRecord: an object file whose attribute is the record v2 of
// the previous version reads with its content type and metadata, no HTTP
// attributes and no checksum, in Stat, Get and List; the next Put of its
// key writes the record v3.
func TestPreviousRecord(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "caps", "old.pcap")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("old bytes"), 0o644))
	require.NoError(t, unix.Setxattr(p, fs.AttrName, []byte("objstore/fs v2\napplication/vnd.tcpdump.pcap\nhost=web-1\n"), 0))
	b, err := fs.New(dir)
	require.NoError(t, err)
	defer b.Close()

	want := func(what string, info backend.ObjectInfo) {
		t.Helper()
		assert.Equal(t, "application/vnd.tcpdump.pcap", info.ContentType, what)
		assert.Equal(t, map[string]string{"host": "web-1"}, info.Metadata, what)
		assert.True(t, info.HTTPAttributes.IsZero(), what)
		assert.True(t, info.Checksum.IsZero(), "%s: checksum %s", what, info.Checksum)
		assert.EqualValues(t, 9, info.Size, what)
	}
	st, err := b.Stat(t.Context(), "caps/old.pcap")
	require.NoError(t, err)
	want("Stat", st)
	rc, gi, err := b.Get(t.Context(), "caps/old.pcap", backend.WholeObject)
	require.NoError(t, err)
	rc.Close()
	want("Get", gi)
	require.False(t, b.StatList(), "a store that held files at New lists by opening them")
	page, err := b.List(t.Context(), backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	want("List", page.Objects[0])
	assert.Equal(t, "old bytes", readAll(t, b, "caps/old.pcap"))

	_, err = b.Put(t.Context(), "caps/old.pcap", strings.NewReader("new"), backend.PutOptions{Size: 3})
	require.NoError(t, err)
	rec := make([]byte, 256)
	n, err := unix.Getxattr(p, fs.AttrName, rec)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(rec[:n]), "objstore/fs v3\n"), "record %q", rec[:n])
}

// TestAttributesWithoutMetadata: a store opened WithoutMetadata has no
// attribute to keep HTTP attributes or a checksum in: a Put with HTTP
// attributes is ErrNotSupported and stores nothing, and objects have no
// checksum (full reads are not verified).
func TestAttributesWithoutMetadata(t *testing.T) {
	b := newStore(t, fs.WithoutMetadata())
	_, err := b.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1,
		HTTPAttributes: backend.HTTPAttributes{ContentEncoding: "gzip"}})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), "WithoutMetadata")
	_, err = b.Stat(t.Context(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)

	info, err := b.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.True(t, info.Checksum.IsZero())
	st, err := b.Stat(t.Context(), "k")
	require.NoError(t, err)
	assert.Equal(t, info, st)
}

// TestLongAttributes puts the longest content type, HTTP attributes and
// metadata there are (a record of about 7 KiB). File systems that keep
// attributes that long (XFS, btrfs, tmpfs) store and return them; ext4
// keeps about 4 KiB of attributes per file, and its refusal is
// ErrTooLarge with a message that says why and what to do. Either way
// nothing is left behind on failure.
func TestLongAttributes(t *testing.T) {
	b := newStore(t)
	long := strings.Repeat("v", backend.MaxHeaderValue)
	md := map[string]string{}
	for i := range 60 {
		md[fmt.Sprintf("k%02d", i)] = strings.Repeat("m", 18)
	}
	http := backend.HTTPAttributes{CacheControl: long, ContentDisposition: long, ContentEncoding: long, ContentLanguage: long}
	data := []byte("data")
	_, err := b.Put(t.Context(), "long", bytes.NewReader(data), backend.PutOptions{Size: 4, ContentType: long, Metadata: md, HTTPAttributes: http})

	var sfs unix.Statfs_t
	require.NoError(t, unix.Statfs(b.Dir(), &sfs))
	if sfs.Type == unix.EXT4_SUPER_MAGIC {
		require.ErrorIs(t, err, backend.ErrTooLarge)
		assert.Contains(t, err.Error(), "extended attributes")
		assert.Contains(t, err.Error(), `"long"`)
		_, err = b.Stat(t.Context(), "long")
		require.ErrorIs(t, err, backend.ErrNotFound)
		entries, err := os.ReadDir(b.Dir())
		require.NoError(t, err)
		assert.Empty(t, entries, "no temp file left")
		return
	}
	require.NoError(t, err, "file system %#x", sfs.Type)
	st, err := b.Stat(t.Context(), "long")
	require.NoError(t, err)
	assert.Equal(t, http, st.HTTPAttributes)
	assert.Equal(t, long, st.ContentType)
	assert.Equal(t, md, st.Metadata)
	assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, data)))
}
