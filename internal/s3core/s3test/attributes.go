package s3test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// CheckPresignedGetServesAttributes puts a gzip object with HTTP
// attributes and a content type on b, which must be a Presigner, and gets
// it through a presigned URL with a plain HTTP client: the attributes and
// the content type are the answer's headers, and the body is the bytes
// put (gzip, not decoded).
func CheckPresignedGetServesAttributes(t *testing.T, b backend.Backend) {
	p, ok := backend.As[backend.Presigner](b)
	require.True(t, ok, "a Presigner")
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, err := zw.Write(bytes.Repeat([]byte("packet "), 1000))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	attrs := backend.HTTPAttributes{
		CacheControl:       "public, max-age=60",
		ContentDisposition: `attachment; filename="capture 1.pcap.gz"`,
		ContentEncoding:    "gzip",
		ContentLanguage:    "en-GB",
	}
	const key = "attrs/served.gz"
	_, err = b.Put(t.Context(), key, bytes.NewReader(zipped.Bytes()),
		backend.PutOptions{Size: int64(zipped.Len()), ContentType: "application/vnd.tcpdump.pcap", HTTPAttributes: attrs})
	require.NoError(t, err)

	u, err := p.Presign(t.Context(), http.MethodGet, key, time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	for name, want := range map[string]string{
		"Cache-Control":       attrs.CacheControl,
		"Content-Disposition": attrs.ContentDisposition,
		"Content-Encoding":    attrs.ContentEncoding,
		"Content-Language":    attrs.ContentLanguage,
		"Content-Type":        "application/vnd.tcpdump.pcap",
	} {
		assert.Equal(t, want, resp.Header.Get(name), name)
	}
	assert.Equal(t, zipped.Bytes(), body, "the stored bytes")
}
