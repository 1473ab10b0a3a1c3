//go:build linux

package fs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// composeStore opens a store on a fresh directory, and returns it with
// the directory.
func composeStore(t *testing.T) (*Backend, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := New(dir)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b, dir
}

// composeSources puts n sources of varied sizes (empty ones included)
// under prefix and returns them as a listing gives them, with their
// concatenation.
func composeSources(t *testing.T, b *Backend, prefix string, n int) ([]backend.ObjectInfo, []byte) {
	t.Helper()
	var all bytes.Buffer
	srcs := make([]backend.ObjectInfo, n)
	for i := range n {
		data := bytes.Repeat([]byte(fmt.Sprintf("<%d>", i)), (i*37)%300)
		key := fmt.Sprintf("%s/c.%d", prefix, i)
		_, err := b.Put(t.Context(), key, bytes.NewReader(data), backend.PutOptions{
			Size: int64(len(data)), ContentType: "text/x-chunk", Metadata: map[string]string{"n": fmt.Sprint(i)}})
		require.NoError(t, err)
		srcs[i] = backend.ObjectInfo{Key: key, Size: int64(len(data))}
		all.Write(data)
	}
	return srcs, all.Bytes()
}

// tempFiles returns the temp files left under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var temps []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err == nil && isTempName(d.Name()) {
			temps = append(temps, p)
		}
		return err
	}))
	return temps
}

func getString(t *testing.T, b *Backend, key string) string {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(data)
}

// TestCompose composes 300 sources, with copy_file_range and with the
// buffered copy, into an object equal to their concatenation, with the
// given content type and metadata (not the sources'), replacing what was
// at the key, and leaves no temp file.
func TestCompose(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		t.Run(fmt.Sprintf("buffered=%v", buffered), func(t *testing.T) {
			if buffered {
				noCopyFileRange.Store(true)
				defer noCopyFileRange.Store(false)
			}
			b, dir := composeStore(t)
			srcs, want := composeSources(t, b, "s", 300)
			_, err := b.Put(t.Context(), "out/cap.pcap", strings.NewReader("old"), backend.PutOptions{Size: 3})
			require.NoError(t, err)
			info, err := b.Compose(t.Context(), "out/cap.pcap", srcs, backend.PutOptions{
				ContentType: "application/vnd.tcpdump.pcap", Metadata: map[string]string{"Iface": "eth0"}})
			require.NoError(t, err)
			assert.EqualValues(t, len(want), info.Size)
			assert.Equal(t, string(want), getString(t, b, "out/cap.pcap"))
			st, err := b.Stat(t.Context(), "out/cap.pcap")
			require.NoError(t, err)
			assert.Equal(t, "application/vnd.tcpdump.pcap", st.ContentType)
			assert.Equal(t, map[string]string{"iface": "eth0"}, st.Metadata)
			assert.Equal(t, info.ETag, st.ETag)
			assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, want)),
				"checksum %s, want the CRC-32C of the concatenation", st.Checksum)
			assert.Equal(t, info, st, "Compose and Stat agree")
			assert.Empty(t, tempFiles(t, dir))

			// One source, and none (an empty object).
			_, err = b.Compose(t.Context(), "out/one", srcs[299:], backend.PutOptions{})
			require.NoError(t, err)
			assert.Equal(t, getString(t, b, srcs[299].Key), getString(t, b, "out/one"))
			_, err = b.Compose(t.Context(), "out/none", nil, backend.PutOptions{})
			require.NoError(t, err)
			assert.Equal(t, "", getString(t, b, "out/none"))
			st, err = b.Stat(t.Context(), "out/none")
			require.NoError(t, err)
			assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, nil)))
		})
	}
}

// TestComposeChecksum: sources without a checksum (a file another program
// wrote, a file of the v1 format, an object of the previous version's
// record) are hashed as they are copied, the others' checksums combined:
// the result holds the CRC-32C of the concatenation. The HTTP attributes
// of the options are stored.
func TestComposeChecksum(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		t.Run(fmt.Sprintf("buffered=%v", buffered), func(t *testing.T) {
			if buffered {
				noCopyFileRange.Store(true)
				defer noCopyFileRange.Store(false)
			}
			b, dir := composeStore(t)
			srcs, _ := composeSources(t, b, "s", 20)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "plain"), []byte("plain file"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "old"), encodeV1ForTest(t, []byte("v1 data"), "text/plain", nil), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "v2"), []byte("v2 data"), 0o644))
			require.NoError(t, setXattr(filepath.Join(dir, "v2"), "objstore/fs v2\ntext/plain\n"))
			var all []backend.ObjectInfo
			var want bytes.Buffer
			for i, s := range srcs {
				all = append(all, s)
				want.WriteString(getString(t, b, s.Key))
				switch i {
				case 3:
					all = append(all, backend.ObjectInfo{Key: "plain", Size: 10})
					want.WriteString("plain file")
				case 10:
					all = append(all, backend.ObjectInfo{Key: "old", Size: 7})
					want.WriteString("v1 data")
				case 15:
					all = append(all, backend.ObjectInfo{Key: "v2", Size: 7})
					want.WriteString("v2 data")
				}
			}
			http := backend.HTTPAttributes{ContentDisposition: "inline", ContentLanguage: "fr"}
			info, err := b.Compose(t.Context(), "out", all, backend.PutOptions{HTTPAttributes: http})
			require.NoError(t, err)
			assert.Equal(t, want.String(), getString(t, b, "out"))
			st, err := b.Stat(t.Context(), "out")
			require.NoError(t, err)
			assert.Equal(t, info, st)
			assert.Equal(t, http, st.HTTPAttributes)
			assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, want.Bytes())),
				"checksum %s, want the CRC-32C of the concatenation", st.Checksum)
		})
	}
}

// TestComposeSourceChanged: a source replaced (another size), truncated
// in place, removed or listed with another ETag, before the compose
// reaches it, fails the compose naming it; so does a cancelled context.
// The destination keeps its old object and no temp file is left.
func TestComposeSourceChanged(t *testing.T) {
	b, dir := composeStore(t)
	srcs, _ := composeSources(t, b, "s", 300)
	_, err := b.Put(t.Context(), "out", strings.NewReader("old"), backend.PutOptions{Size: 3})
	require.NoError(t, err)
	defer func() { beforeComposeSource = nil }()

	check := func(what string, ctx context.Context, srcs []backend.ObjectInfo, bad string, kind error, change func()) {
		t.Helper()
		beforeComposeSource = func(i int, key string) {
			if i == 150 {
				change()
			}
		}
		_, err := b.Compose(ctx, "out", srcs, backend.PutOptions{})
		require.Error(t, err, what)
		if kind != nil {
			require.ErrorIs(t, err, kind, what)
		}
		assert.Contains(t, err.Error(), bad, what)
		assert.Equal(t, "old", getString(t, b, "out"), what)
		assert.Empty(t, tempFiles(t, dir), what)
	}

	check("replaced", t.Context(), srcs, srcs[200].Key, nil, func() {
		_, err := b.Put(t.Context(), srcs[200].Key, strings.NewReader("other"), backend.PutOptions{Size: 5})
		require.NoError(t, err)
	})
	srcs[200].Size = 5

	check("truncated", t.Context(), srcs, srcs[250].Key, nil, func() {
		p, err := keyToPath("test", srcs[250].Key)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(filepath.Join(dir, p), 1))
	})
	srcs[250].Size = 1

	check("removed", t.Context(), srcs, srcs[260].Key, backend.ErrNotFound, func() {
		require.NoError(t, b.Remove(t.Context(), srcs[260].Key))
	})
	srcs = append(srcs[:260], srcs[261:]...)

	st, err := b.Stat(t.Context(), srcs[270].Key)
	require.NoError(t, err)
	stale := append([]backend.ObjectInfo(nil), srcs...)
	stale[270].ETag = st.ETag
	check("etag", t.Context(), stale, srcs[270].Key, nil, func() {
		p := bytes.Repeat([]byte{'x'}, int(srcs[270].Size)) // the same size
		_, err := b.Put(t.Context(), srcs[270].Key, bytes.NewReader(p), backend.PutOptions{Size: int64(len(p))})
		require.NoError(t, err)
	})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	check("cancelled", ctx, srcs, "context canceled", context.Canceled, cancel)

	// Nothing changed: the same call succeeds.
	beforeComposeSource = nil
	_, err = b.Compose(t.Context(), "out", srcs, backend.PutOptions{})
	require.NoError(t, err)
	assert.Empty(t, tempFiles(t, dir))
}

// TestComposeRefusals: keys are checked like Put's, and a store without
// metadata refuses metadata with ErrNotSupported (the client then
// streams, and its Put refuses the same).
func TestComposeRefusals(t *testing.T) {
	b, _ := composeStore(t)
	_, err := b.Compose(t.Context(), "../x", nil, backend.PutOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = b.Compose(t.Context(), "x", []backend.ObjectInfo{{Key: "a//b"}}, backend.PutOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	nm, err := New(t.TempDir(), WithoutMetadata())
	require.NoError(t, err)
	defer nm.Close()
	_, err = nm.Compose(t.Context(), "x", nil, backend.PutOptions{Metadata: map[string]string{"a": "b"}})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	require.NoError(t, b.Close())
	_, err = b.Compose(t.Context(), "x", nil, backend.PutOptions{})
	require.ErrorIs(t, err, backend.ErrClosed)
}
