package gcs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// rawGet fetches u with a plain HTTP client that never decompresses, with
// the Accept-Encoding given (none when empty).
func rawGet(t *testing.T, u, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// TestPresignedGetServesAttributes fetches a presigned GET of an object
// put with every HTTP attribute: fake-gcs-server, as GCS, answers with
// them as headers, with the stored bytes and their CRC32C (X-Goog-Hash)
// to a client that accepts gzip. To one that does not, it transcodes, as
// GCS does: the body decompressed, without Content-Encoding.
func TestPresignedGetServesAttributes(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	anon := openFresh(t, srv, gcs.Config{})
	creds, _ := serviceAccount(t)
	signer := openSigner(t, srv, anon.Bucket(), creds)
	ctx := t.Context()
	plain := bytes.Repeat([]byte("packet capture "), 300)
	data := drivertest.Gzip(t, plain)
	_, err := anon.Put(ctx, "served", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), ContentType: "text/plain", HTTPAttributes: drivertest.AllAttributes})
	require.NoError(t, err)
	u, err := signer.Presign(ctx, http.MethodGet, "served", time.Hour, backend.PresignOptions{})
	require.NoError(t, err)

	resp, body := rawGet(t, u, "gzip")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, data, body, "the stored bytes")
	drivertest.ServesAllAttributes(t, resp.Header, "text/plain")
	crc := base64.StdEncoding.EncodeToString(backend.ChecksumOf(backend.CRC32C, data).Value)
	assert.Contains(t, resp.Header.Get("X-Goog-Hash"), "crc32c="+crc)

	resp, body = rawGet(t, u, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, plain, body, "decompressive transcoding for a client that does not accept gzip")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assert.Equal(t, drivertest.AllAttributes.CacheControl, resp.Header.Get("Cache-Control"))
}

// TestCopyAttributes: a copy keeps the attributes and the checksum; a copy
// with new attributes is a rewrite when it clears nothing the source has,
// and ErrNotSupported (the client streams it) when it would have to, so
// that no attribute of the source survives a replacement.
func TestCopyAttributes(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	b := openFresh(t, srv, gcs.Config{})
	ctx := t.Context()
	data := drivertest.Gzip(t, []byte("some text"))
	put := func(key string, opts backend.PutOptions) backend.ObjectInfo {
		t.Helper()
		opts.Size = int64(len(data))
		info, err := b.Put(ctx, key, bytes.NewReader(data), opts)
		require.NoError(t, err)
		return info
	}
	src := put("src", backend.PutOptions{ContentType: "text/plain", HTTPAttributes: drivertest.AllAttributes})
	require.Equal(t, drivertest.AllAttributes, src.HTTPAttributes)
	require.True(t, src.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, data)), "Put returns the checksum: %s", src.Checksum)

	cp, err := b.Copy(ctx, "kept", "src", backend.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, drivertest.AllAttributes, cp.HTTPAttributes)
	assert.True(t, cp.Checksum.Equal(src.Checksum), "the copy has the same checksum")

	bare := put("bare", backend.PutOptions{})
	other := backend.HTTPAttributes{CacheControl: "no-store", ContentLanguage: "fr"}
	cp, err = b.Copy(ctx, "replaced", "bare", backend.CopyOptions{ReplaceMetadata: true, ContentType: "text/x", HTTPAttributes: other, Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err, "nothing to clear: a rewrite")
	assert.Equal(t, other, cp.HTTPAttributes)
	st, err := b.Stat(ctx, "replaced")
	require.NoError(t, err)
	assert.Equal(t, other, st.HTTPAttributes)
	assert.Equal(t, "text/x", st.ContentType)
	assert.True(t, st.Checksum.Equal(bare.Checksum))

	_, err = b.Copy(ctx, "replaced", "src", backend.CopyOptions{ReplaceMetadata: true, HTTPAttributes: other})
	require.ErrorIs(t, err, backend.ErrNotSupported, "Content-Disposition and Content-Encoding would have to be cleared")
	assert.Contains(t, err.Error(), "Content-Disposition")
	_, err = b.Copy(ctx, "src", "src", backend.CopyOptions{ReplaceMetadata: true, HTTPAttributes: drivertest.AllAttributes, Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err, "in place, the same attributes and new metadata")
	st, err = b.Stat(ctx, "src")
	require.NoError(t, err)
	assert.Equal(t, drivertest.AllAttributes, st.HTTPAttributes)
	assert.Equal(t, map[string]string{"k": "v"}, st.Metadata)
}

// TestJSONReadsCannotReadGzip: a caller's client with JSON reads cannot
// read a gzip-encoded object as stored (the storage library refuses the
// Accept-Encoding header ReadCompressed sets, google-cloud-go issue 7786):
// such a Get is ErrNotSupported, never the decoded bytes; other objects
// read as usual.
func TestJSONReadsCannotReadGzip(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	client, err := storage.NewClient(context.Background(), option.WithEndpoint(srv.URL+"/storage/v1/"),
		option.WithoutAuthentication(), storage.WithJSONReads())
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	b := openFresh(t, srv, gcs.Config{Client: client})
	ctx := t.Context()
	data := drivertest.Gzip(t, []byte("some text"))
	for _, key := range []string{"plain", "gzip"} {
		opts := backend.PutOptions{Size: int64(len(data))}
		if key == "gzip" {
			opts.ContentEncoding = "gzip"
		}
		_, err := b.Put(ctx, key, bytes.NewReader(data), opts)
		require.NoError(t, err)
	}
	rc, _, err := b.Get(ctx, "plain", backend.WholeObject)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, data, got)
	_, _, err = b.Get(ctx, "gzip", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), "XML reads")
}
