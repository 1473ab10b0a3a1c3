package minio

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	minio "github.com/minio/minio-go/v7"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandEndpoints(t *testing.T) {
	got, err := expandEndpoints([]string{"node{1...3}:9000", "10.0.0.{7...8}:9000", "node2:9000"})
	require.NoError(t, err)
	assert.Equal(t, []string{"node1:9000", "node2:9000", "node3:9000", "10.0.0.7:9000", "10.0.0.8:9000"}, got,
		"expanded in order, duplicates dropped")

	got, err = expandEndpoints([]string{"http://h{08...10}:{1...2}"})
	require.NoError(t, err)
	assert.Equal(t, []string{"http://h08:1", "http://h08:2", "http://h09:1", "http://h09:2", "http://h10:1", "http://h10:2"}, got,
		"zero padding kept, several ellipses combined left to right")

	for _, bad := range []string{"h{1..3}:9000", "h{3...1}:9000", "h{a...b}", "h{1...3:9000", "h}1:9000", "", "h{0...5000}"} {
		_, err := expandEndpoints([]string{bad})
		assert.Error(t, err, "endpoint %q", bad)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"5242880": 5 << 20, "16MiB": 16 << 20, "16M": 16 << 20, "1GiB": 1 << 30, "64KB": 64 << 10, "100B": 100} {
		got, err := parseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "0", "-1MiB", "lots", "1.5MiB", "99999999999999999GiB"} {
		_, err := parseSize(bad)
		assert.Error(t, err, bad)
	}
}

// TestMetadataEncoding checks that every value survives encodeValue
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
			enc := encodeValue(v)
			if force {
				enc = encodeWord(v)
				assert.NotContains(t, enc, ".", "a value sent in the query must not hold a dot")
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
	assert.Equal(t, "plain", encodeValue("plain"), "printable ASCII travels as it is")

	// MinIO's own encodings of values that other clients stored raw.
	h := http.Header{"Last-Modified": {"Mon, 02 Jan 2006 15:04:05 GMT"},
		"X-Amz-Meta-Q": {"=?UTF-8?Q?caf=C3=A9?="}, "X-Amz-Meta-B": {"=?UTF-8?B?w7YsIMO8?="}}
	oi, err := minio.ToObjectInfo("bucket", "key", h)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"q": "café", "b": "ö, ü"}, metadataFromHeader(oi.Metadata))
}

func TestEncodeMetadataBudget(t *testing.T) {
	small := encodeMetadata(map[string]string{"a": "b"})
	assert.False(t, small.inQuery)
	assert.Equal(t, map[string]string{"x-amz-meta-a": "b"}, small.values)

	// 2 KiB of keys and values: over MinIO's header budget once the
	// prefixes are counted.
	md := map[string]string{}
	for i := range 20 {
		md[fmt.Sprintf("key%02d", i)] = strings.Repeat("v", 97)
	}
	big := encodeMetadata(md)
	assert.True(t, big.inQuery)
	assert.Len(t, big.values, 20)
	assert.Nil(t, encodeMetadata(nil).values)
}
