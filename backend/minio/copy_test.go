package minio_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestConformanceCopySmallParts runs the copy check with copies in parts
// of 5 MiB (instead of 5 GiB), so that its 6 MiB object is copied as a
// multipart upload of two part copies, as objects past 5 GiB are.
func TestConformanceCopySmallParts(t *testing.T) {
	defer minio.SetCopyPartSize(minio.MinPartSize)()
	srv := testserver.StartMinIO(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openDriver(t, srv, func(c *minio.Config) {
			c.PartSize = minio.MinPartSize
			c.Concurrency = 2
		})
	}, conformance.Only("copy"))
}

// TestCopyChecksums: a CopyObject keeps the source's CRC32C (also onto
// itself, replacing the attributes); a copy made of part copies (a
// create-only copy, or one past the size of a copy part) may have none
// (MinIO refuses part copies into an upload that declares a checksum), but
// never a wrong one. Either way a full read through the client verifies.
func TestCopyChecksums(t *testing.T) {
	defer minio.SetCopyPartSize(minio.MinPartSize)()
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	checkCopyChecksums(t, d, minio.MinPartSize+1)
}

// checkCopyChecksums copies objects in every way Copy has, on b, whose
// copies in parts take parts of less than large bytes.
func checkCopyChecksums(t *testing.T, b backend.Backend, large int) {
	ctx := t.Context()
	cp, ok := backend.As[backend.Copier](b)
	require.True(t, ok)
	c := objstore.New(b)
	data := map[string][]byte{"src/small": payload(11, 100<<10), "src/large": payload(12, large)}
	for key, d := range data {
		_, err := b.Put(ctx, key, bytes.NewReader(d), backend.PutOptions{Size: int64(len(d))})
		require.NoError(t, err)
	}
	for _, cc := range []struct {
		name, dst, src string
		opts           backend.CopyOptions
		keeps          bool // the copy must have the source's checksum
	}{
		{"CopyObject", "dst/plain", "src/small", backend.CopyOptions{}, true},
		{"CopyObject replacing the attributes", "dst/replaced", "src/small", backend.CopyOptions{ReplaceMetadata: true, ContentType: "text/x"}, true},
		{"CopyObject onto itself", "src/small", "src/small", backend.CopyOptions{ReplaceMetadata: true, Metadata: map[string]string{"a": "b"}}, true},
		{"create-only, one part copy", "dst/create-only", "src/small", backend.CopyOptions{IfNotExist: true}, false},
		{"in part copies", "dst/large", "src/large", backend.CopyOptions{}, false},
	} {
		want := backend.ChecksumOf(backend.CRC32C, data[cc.src])
		info, err := cp.Copy(ctx, cc.dst, cc.src, cc.opts)
		require.NoError(t, err, cc.name)
		if !info.Checksum.IsZero() {
			assert.Equal(t, want, info.Checksum, "%s: Copy's info", cc.name)
		}
		st, err := b.Stat(ctx, cc.dst)
		require.NoError(t, err, cc.name)
		if cc.keeps || !st.Checksum.IsZero() {
			assert.Equal(t, want, st.Checksum, "%s: Stat", cc.name)
		}
		rc, err := c.GetObject(ctx, cc.dst)
		require.NoError(t, err, cc.name)
		got, err := io.ReadAll(rc)
		require.NoError(t, rc.Close())
		require.NoError(t, err, "%s: a verified read", cc.name)
		assert.True(t, bytes.Equal(data[cc.src], got), "%s: the bytes", cc.name)
		t.Logf("%s: checksum %q", cc.name, st.Checksum)
	}
}
