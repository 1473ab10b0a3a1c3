package drivertest

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// AllAttributes has every HTTP attribute set; its Content-Encoding is
// gzip (see Gzip).
var AllAttributes = backend.HTTPAttributes{
	CacheControl:       "public, max-age=60",
	ContentDisposition: `attachment; filename="trace.pcap"`,
	ContentEncoding:    "gzip",
	ContentLanguage:    "en-GB",
}

// Gzip returns data compressed with gzip.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// ServesAllAttributes checks that h, the headers of a GET served by the
// store itself (a presigned URL), carry contentType and every attribute
// of AllAttributes.
func ServesAllAttributes(t testing.TB, h http.Header, contentType string) {
	t.Helper()
	assert.Equal(t, contentType, h.Get("Content-Type"))
	assert.Equal(t, AllAttributes.CacheControl, h.Get("Cache-Control"))
	assert.Equal(t, AllAttributes.ContentDisposition, h.Get("Content-Disposition"))
	assert.Equal(t, AllAttributes.ContentEncoding, h.Get("Content-Encoding"))
	assert.Equal(t, AllAttributes.ContentLanguage, h.Get("Content-Language"))
}
