package minio

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	minio "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// TestMetadataEncoding checks that every value survives s3core.EncodeValue
// followed by the decoding minio-go applies in StatObject and GetObject
// (ToObjectInfo), on which the driver relies.
func TestMetadataEncoding(t *testing.T) {
	values := []string{
		"plain", "with  two spaces", `quotes " and , commas`, "100%", "é", "日本語", "🙂 emoji",
		"=?UTF-8?B?aGk=?=", "a =?x?= b", "=?", "?=", "=?UTF-8?Q?caf=C3=A9?=", "x/../y", strings.Repeat("ü", 300),
	}
	for _, force := range []bool{false, true} {
		h := http.Header{"Last-Modified": {"Mon, 02 Jan 2006 15:04:05 GMT"}}
		for i, v := range values {
			enc := s3core.EncodeValue(v)
			if force {
				enc = "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
			}
			for j := 0; j < len(enc); j++ {
				require.True(t, enc[j] >= 0x20 && enc[j] <= 0x7e, "encoded %q has a byte outside printable ASCII: %q", v, enc)
			}
			h.Set(fmt.Sprintf("X-Amz-Meta-K%d", i), enc)
		}
		oi, err := minio.ToObjectInfo("bucket", "key", h)
		require.NoError(t, err)
		got := metadataFromHeader(oi.Metadata)
		for i, v := range values {
			assert.Equal(t, v, got[fmt.Sprintf("k%d", i)], "round trip of %q (forced encoding: %v)", v, force)
		}
	}
	assert.Equal(t, "plain", s3core.EncodeValue("plain"), "printable ASCII travels as it is")

	// MinIO's own encodings of values that other clients stored raw.
	h := http.Header{"Last-Modified": {"Mon, 02 Jan 2006 15:04:05 GMT"},
		"X-Amz-Meta-Q": {"=?UTF-8?Q?caf=C3=A9?="}, "X-Amz-Meta-B": {"=?UTF-8?B?w7YsIMO8?="}}
	oi, err := minio.ToObjectInfo("bucket", "key", h)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"q": "café", "b": "ö, ü"}, metadataFromHeader(oi.Metadata))
}

// TestEncodeMetadataBudget checks that the headers encodeMetadata makes
// take exactly what backend.MetadataSize counts, so that every map
// NormalizeMetadata accepts fits MinIO's 2 KiB limit.
func TestEncodeMetadataBudget(t *testing.T) {
	assert.Nil(t, encodeMetadata(nil))
	assert.Equal(t, map[string]string{"x-amz-meta-a": "b"}, encodeMetadata(map[string]string{"a": "b"}))
	for _, md := range []map[string]string{
		{"a": "b", "note": "héllo", "enc": "=?x?=", "plain": "value with spaces"},
		{"k": strings.Repeat("é", 750)},
		{"k": strings.Repeat("a", 2048-len("x-amz-meta-k"))},
	} {
		norm, err := backend.NormalizeMetadata("put", "key", md)
		require.NoError(t, err)
		size := 0
		for name, v := range encodeMetadata(norm) {
			size += len(name) + len(v)
		}
		assert.Equal(t, backend.MetadataSize(norm), size)
		assert.LessOrEqual(t, size, maxUserMetadataHeaders)
	}
}

// maxUserMetadataHeaders is MinIO's limit on the x-amz-meta-* headers of a
// request (names and values).
const maxUserMetadataHeaders = 2048
