package s3test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// CheckCopyChecksums copies objects in every way Copy has, on b, whose
// copies in parts take parts of less than large bytes.
func CheckCopyChecksums(t *testing.T, b backend.Backend, large int) {
	ctx := t.Context()
	cp, ok := backend.As[backend.Copier](b)
	require.True(t, ok)
	c := objstore.New(b)
	data := map[string][]byte{"src/small": Payload(11, 100<<10), "src/large": Payload(12, large)}
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

// Payload returns n pseudo-random bytes, the same for the same seed.
func Payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
