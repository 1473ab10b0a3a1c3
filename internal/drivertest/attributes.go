package drivertest

import (
	"bytes"
	"compress/gzip"
	"testing"

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
