package gocloud_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/gcsblob"
	"google.golang.org/api/option"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestPresignedGetServesAttributesAzurite fetches a SAS URL of a blob put
// with every HTTP attribute, with a plain HTTP client that never
// decompresses (and asks for no encoding): Azurite, as Azure, answers with
// the attributes as headers, the Content-MD5 Put committed, and the stored
// bytes (Azure never transcodes).
func TestPresignedGetServesAttributesAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az)
	ctx := t.Context()
	data := drivertest.Gzip(t, bytes.Repeat([]byte("packet capture "), 300))
	_, err := b.Put(ctx, "served", bytes.NewReader(data), backend.PutOptions{Size: -1, ContentType: "text/plain", HTTPAttributes: drivertest.AllAttributes})
	require.NoError(t, err)
	u, err := b.Presign(ctx, http.MethodGet, "served", time.Hour, backend.PresignOptions{})
	require.NoError(t, err)

	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, data, body, "the stored bytes")
	drivertest.ServesAllAttributes(t, resp.Header, "text/plain")
	sum := md5.Sum(data)
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), resp.Header.Get("Content-MD5"))
}

// TestChecksumsAzurite: Put returns the Content-MD5 it committed; a copy
// keeps it and the attributes; a blob another tool committed as a block
// list without an MD5 has the zero Checksum and reads without error,
// while one it wrote with Put Blob has the MD5 the service computed.
func TestChecksumsAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az, gocloud.WithUploadBuffer(1<<20, 2))
	ctx := t.Context()
	data := payload(3 << 19) // two blocks
	want := backend.ChecksumOf(backend.MD5, data)
	info, err := b.Put(ctx, "k", bytes.NewReader(data), backend.PutOptions{Size: -1, HTTPAttributes: drivertest.AllAttributes})
	require.NoError(t, err)
	assert.True(t, info.Checksum.Equal(want), "Put's info: %s", info.Checksum)
	assert.Equal(t, drivertest.AllAttributes, info.HTTPAttributes)
	cp, err := b.Copy(ctx, "copy", "k", backend.CopyOptions{})
	require.NoError(t, err)
	assert.True(t, cp.Checksum.Equal(want), "the copy keeps the Content-MD5: %s", cp.Checksum)
	assert.Equal(t, drivertest.AllAttributes, cp.HTTPAttributes)

	// Another tool, with the SDK alone (raw blob names: no characters the
	// key encoding changes).
	raw := rawContainer(t, az, strings.TrimPrefix(b.String(), "azblob://"))
	_, err = raw.NewBlockBlobClient("foreign-blocks").UploadStream(ctx, bytes.NewReader(data), &blockblob.UploadStreamOptions{BlockSize: 1 << 20})
	require.NoError(t, err)
	_, err = raw.NewBlockBlobClient("foreign-put").UploadBuffer(ctx, data[:1000], nil)
	require.NoError(t, err)
	st, err := b.Stat(ctx, "foreign-blocks")
	require.NoError(t, err)
	assert.True(t, st.Checksum.IsZero(), "a block list committed without an MD5 has none: %s", st.Checksum)
	got, err := readAll(ctx, objstore.New(b), "foreign-blocks")
	require.NoError(t, err, "a blob without a checksum reads, unverified")
	assert.Equal(t, data, got)
	st, err = b.Stat(ctx, "foreign-put")
	require.NoError(t, err)
	assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.MD5, data[:1000])), "Put Blob: the service's MD5: %s", st.Checksum)
}

// TestConformanceGCSBlob runs the attribute and checksum checks on
// gocloud's gcsblob over fake-gcs-server: the bridge reads a gzip-encoded
// object as stored (ReadCompressed, storedBytes), where gcsblob alone
// would hand back the bytes decompressed; the checksum is the MD5 GCS
// keeps (gcsblob's Attributes.MD5).
func TestConformanceGCSBlob(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	client, err := storage.NewClient(context.Background(), option.WithEndpoint(srv.URL+"/storage/v1/"),
		option.WithoutAuthentication(), option.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	conformance.Run(t, func(t *testing.T) backend.Backend {
		name := containerName(t)
		require.NoError(t, client.Bucket(name).Create(context.Background(), "objstore-test", nil))
		bucket, err := gcsblob.OpenBucket(context.Background(), nil, name, &gcsblob.Options{Client: client})
		require.NoError(t, err)
		b := gocloud.New(bucket, gocloud.OwnBucket())
		t.Cleanup(func() { b.Close() })
		return b
	}, conformance.Only("http-attributes", "checksums", "round-trip", "range-read"))
}
