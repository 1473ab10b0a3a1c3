package s3core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

func TestChecksum(t *testing.T) {
	data := []byte("packet capture")
	sum := backend.ChecksumOf(backend.CRC32C, data)
	value := s3core.EncodeChecksum(sum)
	assert.Equal(t, sum, s3core.CRC32C(data))
	assert.Equal(t, "AAAAAA==", s3core.EncodeChecksum(s3core.CRC32C(nil)), "the CRC32C of nothing")

	for _, c := range []struct {
		name, value, typ string
		want             backend.Checksum
	}{
		{"full object", value, "FULL_OBJECT", sum},
		{"full object, lower case type", value, "full_object", sum},
		{"no type (a single PUT on an older server)", value, "", sum},
		{"none", "", "", backend.Checksum{}},
		{"composite by its type", value, "COMPOSITE", backend.Checksum{}},
		{"composite by its part count", value[:len(value)-2] + "-3", "", backend.Checksum{}},
		{"composite value with a full-object type", value + "-3", "FULL_OBJECT", backend.Checksum{}},
		{"an unknown type", value, "PER_PART", backend.Checksum{}},
		{"not base64", "not base64!", "", backend.Checksum{}},
		{"a digest of another length", "AAAAAAAAAAA=", "", backend.Checksum{}},
	} {
		assert.Equal(t, c.want, s3core.Checksum(c.value, c.typ), c.name)
	}

	h := http.Header{}
	h.Set("x-amz-checksum-crc32c", value)
	h.Set("x-amz-checksum-type", "FULL_OBJECT")
	assert.Equal(t, sum, s3core.ChecksumFromHeader(h))
}

func TestAttributesFromHeader(t *testing.T) {
	h := http.Header{}
	h.Set("cache-control", "no-store")
	h.Set("content-disposition", `attachment; filename="a b"`)
	h.Set("content-encoding", "gzip")
	h.Set("content-language", "en-GB")
	h.Set("content-type", "text")
	assert.Equal(t, backend.HTTPAttributes{
		CacheControl:       "no-store",
		ContentDisposition: `attachment; filename="a b"`,
		ContentEncoding:    "gzip",
		ContentLanguage:    "en-GB",
	}, s3core.AttributesFromHeader(h))
	assert.True(t, s3core.AttributesFromHeader(http.Header{}).IsZero())
}
