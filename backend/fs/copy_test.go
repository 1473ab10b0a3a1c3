//go:build linux

package fs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/objstore-dev/objstore/backend"
)

// copyMethods are the ways Copy can copy the bytes, each forced by
// turning the ones before it off. "clone" is what the file system of the
// test's directory does: a reflink on btrfs or XFS, else the fallback
// (TMPDIR=/mnt/xfs go test -run TestCopy runs it on a reflink file
// system).
var copyMethods = []struct {
	name  string
	force func() (restore func())
}{
	{"clone", func() func() { return func() {} }},
	{"copy_file_range", func() func() {
		noClone.Store(true)
		return func() { noClone.Store(false) }
	}},
	{"buffered", func() func() {
		noClone.Store(true)
		noCopyFileRange.Store(true)
		return func() { noClone.Store(false); noCopyFileRange.Store(false) }
	}},
}

// watchCopies records how each Copy copied its bytes (afterCopyData).
func watchCopies(t *testing.T) *atomic.Value {
	var last atomic.Value
	afterCopyData = func(method string) { last.Store(method) }
	t.Cleanup(func() { afterCopyData = nil })
	return &last
}

// TestCopy copies objects of several sizes with each method: dst holds
// the bytes, the content type, metadata and HTTP attributes of src, and
// the same checksum; with ReplaceMetadata, the given ones and still the
// same checksum; over an existing object, onto itself; and no temp file
// is left.
func TestCopy(t *testing.T) {
	for _, m := range copyMethods {
		t.Run(m.name, func(t *testing.T) {
			defer m.force()()
			last := watchCopies(t)
			b, dir := composeStore(t)
			ctx := t.Context()
			http := backend.HTTPAttributes{CacheControl: "max-age=60", ContentEncoding: "gzip"}
			for _, size := range []int{0, 1, 4096, 3<<20 + 17, parallelCRC + 5} {
				data := bytes.Repeat([]byte{byte(size), 'x', 0}, size/3+1)[:size]
				src := fmt.Sprintf("src/%d", size)
				put, err := b.Put(ctx, src, bytes.NewReader(data), backend.PutOptions{Size: int64(size),
					ContentType: "text/x", Metadata: map[string]string{"n": "1"}, HTTPAttributes: http})
				require.NoError(t, err)

				dst := fmt.Sprintf("dst/%d", size)
				info, err := b.Copy(ctx, dst, src, backend.CopyOptions{})
				require.NoError(t, err)
				if m.name != "clone" && size > 0 {
					assert.Equal(t, m.name, last.Load(), "size %d", size)
				} else if size > 0 {
					t.Logf("size %d: copied with %s", size, last.Load())
				}
				assert.Equal(t, dst, info.Key)
				assert.EqualValues(t, size, info.Size)
				assert.Equal(t, string(data), getString(t, b, dst))
				st, err := b.Stat(ctx, dst)
				require.NoError(t, err)
				assert.Equal(t, info, st, "Copy and Stat agree")
				assert.Equal(t, "text/x", st.ContentType)
				assert.Equal(t, map[string]string{"n": "1"}, st.Metadata)
				assert.Equal(t, http, st.HTTPAttributes)
				assert.True(t, st.Checksum.Equal(put.Checksum), "checksum %s, want the source's %s", st.Checksum, put.Checksum)
				assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, data)))
				assert.NotEqual(t, put.ETag, st.ETag)

				// Over it again, replacing the attributes.
				other := backend.HTTPAttributes{ContentLanguage: "de"}
				_, err = b.Copy(ctx, dst, src, backend.CopyOptions{ReplaceMetadata: true, ContentType: "text/y", HTTPAttributes: other})
				require.NoError(t, err)
				st, err = b.Stat(ctx, dst)
				require.NoError(t, err)
				assert.Equal(t, "text/y", st.ContentType)
				assert.Nil(t, st.Metadata)
				assert.Equal(t, other, st.HTTPAttributes)
				assert.True(t, st.Checksum.Equal(put.Checksum))
				assert.Equal(t, string(data), getString(t, b, dst))

				// Onto itself: new attributes, the same bytes and checksum.
				_, err = b.Copy(ctx, src, src, backend.CopyOptions{ReplaceMetadata: true, Metadata: map[string]string{"n": "2"}})
				require.NoError(t, err)
				st, err = b.Stat(ctx, src)
				require.NoError(t, err)
				assert.Equal(t, map[string]string{"n": "2"}, st.Metadata)
				assert.Equal(t, backend.DefaultContentType, st.ContentType)
				assert.True(t, st.HTTPAttributes.IsZero())
				assert.True(t, st.Checksum.Equal(put.Checksum))
				assert.Equal(t, string(data), getString(t, b, src))
			}
			assert.Empty(t, tempFiles(t, dir))
		})
	}
}

// TestCopyForeignFiles: a file that another program wrote (no attribute)
// copies with its bytes, the default content type and no checksum; a
// file of the v1 format copies without its header.
func TestCopyForeignFiles(t *testing.T) {
	for _, m := range copyMethods {
		t.Run(m.name, func(t *testing.T) {
			defer m.force()()
			b, dir := composeStore(t)
			ctx := t.Context()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "plain"), []byte("plain bytes"), 0o644))
			v1 := encodeV1ForTest(t, []byte("v1 bytes"), "text/v1", map[string]string{"a": "b"})
			require.NoError(t, os.WriteFile(filepath.Join(dir, "old"), v1, 0o644))

			info, err := b.Copy(ctx, "plain-copy", "plain", backend.CopyOptions{})
			require.NoError(t, err)
			assert.True(t, info.Checksum.IsZero(), "no checksum to copy: %s", info.Checksum)
			assert.Equal(t, "plain bytes", getString(t, b, "plain-copy"))
			assert.Equal(t, backend.DefaultContentType, info.ContentType)

			info, err = b.Copy(ctx, "old-copy", "old", backend.CopyOptions{})
			require.NoError(t, err)
			assert.EqualValues(t, len("v1 bytes"), info.Size)
			assert.Equal(t, "v1 bytes", getString(t, b, "old-copy"))
			st, err := b.Stat(ctx, "old-copy")
			require.NoError(t, err)
			assert.Equal(t, "text/v1", st.ContentType)
			assert.Equal(t, map[string]string{"a": "b"}, st.Metadata)
			raw, err := os.ReadFile(filepath.Join(dir, "old-copy"))
			require.NoError(t, err)
			assert.Equal(t, "v1 bytes", string(raw), "the copy is a plain file")
		})
	}
}

// encodeV1ForTest is EncodeV1 of export_test.go, for the tests of this
// package.
func encodeV1ForTest(t *testing.T, data []byte, ct string, md map[string]string) []byte {
	t.Helper()
	n, err := reserveHeader(ct, md)
	require.NoError(t, err)
	hdr, err := encodeHeader(header{Size: int64(len(data)), ETag: strings.Repeat("0", etagLen), ContentType: ct, Metadata: md}, n)
	require.NoError(t, err)
	return append(hdr, data...)
}

// setXattr sets the object attribute of the file at path to rec.
func setXattr(path, rec string) error {
	return unix.Setxattr(path, attrName, []byte(rec), 0)
}

// TestCopyIfNotExist: a create-only copy onto an existing object is
// ErrExist naming dst and changes nothing; of many concurrent create-only
// copies (and puts) to one key exactly one wins.
func TestCopyIfNotExist(t *testing.T) {
	b, dir := composeStore(t)
	ctx := t.Context()
	for i, s := range []string{"a", "bb", "ccc"} {
		_, err := b.Put(ctx, fmt.Sprintf("src/%d", i), strings.NewReader(s), backend.PutOptions{Size: int64(len(s))})
		require.NoError(t, err)
	}
	_, err := b.Put(ctx, "taken", strings.NewReader("old"), backend.PutOptions{Size: 3})
	require.NoError(t, err)
	_, err = b.Copy(ctx, "taken", "src/0", backend.CopyOptions{IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "copy", be.Op)
	assert.Equal(t, "taken", be.Key)
	assert.Equal(t, "old", getString(t, b, "taken"))

	for round := range 10 {
		dst := fmt.Sprintf("race/%d", round)
		var wg sync.WaitGroup
		var wins atomic.Int32
		for i := range 6 {
			wg.Go(func() {
				var err error
				if i < 3 {
					_, err = b.Copy(ctx, dst, fmt.Sprintf("src/%d", i), backend.CopyOptions{IfNotExist: true})
				} else {
					_, err = b.Put(ctx, dst, strings.NewReader("put"), backend.PutOptions{Size: 3, IfNotExist: true})
				}
				if err == nil {
					wins.Add(1)
				} else {
					assert.ErrorIs(t, err, backend.ErrExist)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load(), "round %d", round)
		got := getString(t, b, dst)
		assert.Contains(t, []string{"a", "bb", "ccc", "put"}, got)
		st, err := b.Stat(ctx, dst)
		require.NoError(t, err)
		assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, []byte(got))), "the winner's checksum")
	}
	assert.Empty(t, tempFiles(t, dir))
}

// TestCopyFailures: a missing source is ErrNotFound naming src; a source
// rewritten in place during the copy, a cancelled context, a closed
// store and a store without metadata asked for metadata fail; dst keeps
// its object and no temp file is left.
func TestCopyFailures(t *testing.T) {
	b, dir := composeStore(t)
	ctx := t.Context()
	data := strings.Repeat("data", 1000)
	_, err := b.Put(ctx, "src", strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	_, err = b.Put(ctx, "dst", strings.NewReader("old"), backend.PutOptions{Size: 3})
	require.NoError(t, err)

	_, err = b.Copy(ctx, "dst", "missing", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrNotFound)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "missing", be.Key)

	_, err = b.Copy(ctx, "dst", "src", backend.CopyOptions{Metadata: map[string]string{"Bad Key": "x"}, ReplaceMetadata: true})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Copy(ctx, "src", "src", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Copy(ctx, "../x", "src", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	for _, m := range copyMethods[1:] {
		restore := m.force()
		afterCopyData = func(string) {
			f, err := os.OpenFile(filepath.Join(dir, "src"), os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.WriteString("more")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}
		_, err = b.Copy(ctx, "dst", "src", backend.CopyOptions{})
		afterCopyData = nil
		restore()
		require.Error(t, err, m.name)
		assert.Contains(t, err.Error(), "modified in place", m.name)
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "src", be.Key)
		assert.Equal(t, "old", getString(t, b, "dst"))
	}

	cctx, cancel := context.WithCancel(ctx)
	afterCopyData = func(string) { cancel() }
	_, err = b.Copy(cctx, "dst", "src", backend.CopyOptions{})
	afterCopyData = nil
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "old", getString(t, b, "dst"))
	assert.Empty(t, tempFiles(t, dir))

	nm, err := New(t.TempDir(), WithoutMetadata())
	require.NoError(t, err)
	defer nm.Close()
	_, err = nm.Put(ctx, "src", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	_, err = nm.Copy(ctx, "dst", "src", backend.CopyOptions{ReplaceMetadata: true, HTTPAttributes: backend.HTTPAttributes{CacheControl: "no-store"}})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	info, err := nm.Copy(ctx, "dst", "src", backend.CopyOptions{})
	require.NoError(t, err)
	assert.True(t, info.Checksum.IsZero(), "a store without attributes keeps no checksum")
	assert.Equal(t, "x", getString(t, nm, "dst"))

	require.NoError(t, b.Close())
	_, err = b.Copy(ctx, "dst", "src", backend.CopyOptions{})
	require.ErrorIs(t, err, backend.ErrClosed)
}
