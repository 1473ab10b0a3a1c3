package minio_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestMetadataRoundTrip stores metadata with values that HTTP headers do
// not carry as they are, and values that look like their encoding, on
// every upload path, and reads it back with Stat and Get.
func TestMetadataRoundTrip(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	ctx := context.Background()
	md := map[string]string{
		"note":      "héllo wörld ✓ 日本語 😀",
		"encoded":   "=?UTF-8?B?aGk=?=",
		"q-encoded": "=?UTF-8?Q?caf=C3=A9?=",
		"inner":     "a =?UTF-8?B?aGk=?= b",
		"spaces":    "two  spaces",
		"chars":     `"quoted", 100% & a/b?c=d#e; f:g`,
		"dots":      "a/../b and ./c",
	}
	// The largest metadata the contract allows (2 KiB as MinIO counts it,
	// encoded values included): it must fit MinIO's header limit.
	big := map[string]string{}
	for i := 0; ; i++ {
		v := strings.Repeat("é", 30) // 60 bytes of non-ASCII, sent base64-encoded
		if i%2 == 1 {
			v = "../" + strings.Repeat("x", 77)
		}
		next := map[string]string{fmt.Sprintf("key%02d", i): v}
		if backend.MetadataSize(big)+backend.MetadataSize(next) > backend.MaxMetadataSize-20 {
			break
		}
		maps.Copy(big, next)
	}
	big["z"] = strings.Repeat("z", backend.MaxMetadataSize-backend.MetadataSize(big)-len("x-amz-meta-z"))
	require.Equal(t, backend.MaxMetadataSize, backend.MetadataSize(big))

	paths := []struct {
		name string
		n    int
		size int64
	}{
		{"stream", 100, 100},
		{"buffered", 100, -1},
		{"multipart", 6 * mib, -1},
	}
	for i, p := range paths {
		for j, m := range []map[string]string{md, big} {
			key := fmt.Sprintf("meta/%s/%d", p.name, j)
			data := payload(uint64(10*i+j), p.n)
			_, err := d.Put(ctx, key, opaque{bytes.NewReader(data)},
				backend.PutOptions{Size: p.size, Metadata: m, ContentType: "text/plain; charset=utf-8"})
			require.NoError(t, err, key)
			st, err := d.Stat(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, m, st.Metadata, "%s: Stat", key)
			assert.Equal(t, "text/plain; charset=utf-8", st.ContentType, "%s: Stat", key)
			rc, gi, err := d.Get(ctx, key, backend.GetOptions{Offset: 1, Length: 10})
			require.NoError(t, err, key)
			assert.Equal(t, data[1:11], readAll(t, rc), key)
			assert.Equal(t, m, gi.Metadata, "%s: Get", key)
			assert.Equal(t, "text/plain; charset=utf-8", gi.ContentType, "%s: Get", key)
		}
	}

	// What the server stores is printable ASCII: other S3 tools see the
	// standard RFC 2047 encoding, which minio-go decodes for them too.
	oi, err := admin(t, srv).StatObject(ctx, d.Bucket(), "meta/stream/0", miniogo.StatObjectOptions{})
	require.NoError(t, err)
	assert.Equal(t, md["note"], oi.UserMetadata["Note"])

	// A value another client stored as raw UTF-8 (MinIO returns it RFC
	// 2047-encoded) reads back decoded.
	_, err = admin(t, srv).PutObject(ctx, d.Bucket(), "meta/raw", bytes.NewReader([]byte("x")), 1,
		miniogo.PutObjectOptions{UserMetadata: map[string]string{"Who": "Jürgen, née Groß"}})
	require.NoError(t, err)
	st, err := d.Stat(ctx, "meta/raw")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"who": "Jürgen, née Groß"}, st.Metadata)
}
