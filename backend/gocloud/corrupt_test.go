package gocloud_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/gcsblob"
	"google.golang.org/api/option"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// newDamagingTransport returns a drivertest.Damaging that damages the
// body of every blob download (a GET of a blob, not a listing: no comp=
// or restype=, nor a GCS JSON API call but alt=media) when reads is set,
// and of every upload request (Put Blob, Put Block) when uploads is set.
func newDamagingTransport(t *testing.T, reads, uploads bool) *drivertest.Damaging {
	return drivertest.NewDamaging(t, reads, uploads, func(req *http.Request) bool {
		q := req.URL.Query()
		return req.Method == http.MethodGet && !q.Has("comp") && !q.Has("restype") &&
			(!strings.HasPrefix(req.URL.Path, "/storage/v1/") || q.Get("alt") == "media")
	}, func(req *http.Request) bool {
		comp := req.URL.Query().Get("comp")
		return req.Method == http.MethodPut && (comp == "" || comp == "block")
	})
}

// openDamaging opens the container of clean through a caller's container
// client whose HTTP transport is d.
func openDamaging(t *testing.T, az *testserver.Azurite, clean *gocloud.Backend, d *drivertest.Damaging, opts ...gocloud.Option) *gocloud.Backend {
	t.Helper()
	name := strings.TrimPrefix(clean.String(), "azblob://")
	cred, err := container.NewSharedKeyCredential(az.Account, az.Key)
	require.NoError(t, err)
	c, err := container.NewClientWithSharedKeyCredential(az.Endpoint+"/"+name, cred,
		&container.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: d}}})
	require.NoError(t, err)
	b, err := gocloud.NewAzureDriver(context.Background(), gocloud.AzureConfig{Container: name, Client: c, Options: opts})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// payload returns n bytes that repeat no short pattern.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// readAll reads key whole through the client.
func readAll(ctx context.Context, c *objstore.Client, key string) ([]byte, error) {
	rc, err := c.GetObject(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// wantCorrupt checks that err is a read's ErrCorrupt naming key.
func wantCorrupt(t *testing.T, err error, key string) {
	t.Helper()
	require.ErrorIs(t, err, objstore.ErrCorrupt, key)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, key, be.Key)
	t.Logf("%s: %v", key, err)
}

// TestCorruptReadAzurite damages a byte of every download in transit: a
// full read through the client fails with ErrCorrupt (the blob's
// Content-MD5, which Put committed with it, does not match), for a blob
// of one request, one of several blocks and a gzip-encoded one (read as
// stored, so still checked); never the wrong bytes with a clean EOF. A
// ranged read is not verified: it returns what the server sent.
func TestCorruptReadAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	clean := openAzure(t, az, gocloud.WithUploadBuffer(1<<20, 2))
	d := newDamagingTransport(t, true, false)
	damaged := objstore.New(openDamaging(t, az, clean, d))
	ctx := t.Context()
	for _, c := range []struct {
		key  string
		n    int
		opts backend.PutOptions
	}{
		{"one-request", 4000, backend.PutOptions{Size: 4000}},
		{"blocks", 3 << 19, backend.PutOptions{Size: -1}},
		{"gzip", 4000, backend.PutOptions{Size: 4000, HTTPAttributes: backend.HTTPAttributes{ContentEncoding: "gzip"}}},
	} {
		data := payload(c.n)
		_, err := clean.Put(ctx, c.key, bytes.NewReader(data), c.opts)
		require.NoError(t, err)
		before := d.Damaged()
		_, err = readAll(ctx, damaged, c.key)
		require.Equal(t, before+1, d.Damaged(), "%s: the transport damaged the download", c.key)
		wantCorrupt(t, err, c.key)

		rc, err := damaged.GetObjectRange(ctx, c.key, 0, 1000)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err, "%s: a ranged read is not verified", c.key)
		assert.NotEqual(t, data[:1000], got, "%s: and returns the damaged bytes", c.key)
	}
}

// TestCorruptUploadAzurite damages a byte of the blob in the upload
// request. A blob smaller than a block goes in one Put Blob carrying the
// MD5 of the bytes put, which Azurite checks: the Put fails with
// ErrCorrupt and nothing is stored. Azure checks no MD5 across the blocks
// of a block list (each Put Block travels on its own): the damaged blob
// is committed with the MD5 of the bytes put, so the first full read of
// it fails with ErrCorrupt.
func TestCorruptUploadAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	clean := openAzure(t, az)
	d := newDamagingTransport(t, false, true)
	b := openDamaging(t, az, clean, d, gocloud.WithUploadBuffer(1<<20, 2))
	ctx := t.Context()

	small := bytes.Repeat([]byte("A"), 1000)
	_, err := b.Put(ctx, "one-request", bytes.NewReader(small), backend.PutOptions{Size: int64(len(small))})
	require.Equal(t, int32(1), d.Damaged(), "the transport damaged the upload")
	require.ErrorIs(t, err, backend.ErrCorrupt)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re, "Azurite's own refusal")
	t.Logf("one-request: %v", err)
	_, err = clean.Stat(ctx, "one-request")
	require.ErrorIs(t, err, backend.ErrNotFound, "a refused upload stores nothing")

	large := bytes.Repeat([]byte("A"), 3<<19)
	_, err = b.Put(ctx, "blocks", bytes.NewReader(large), backend.PutOptions{Size: -1})
	require.NoError(t, err, "Azure does not check a block list against the blob's MD5")
	require.Greater(t, d.Damaged(), int32(1), "the transport damaged the blocks")
	st, err := clean.Stat(ctx, "blocks")
	require.NoError(t, err)
	assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.MD5, large)), "the MD5 committed is that of the bytes put: %s", st.Checksum)
	_, err = readAll(ctx, objstore.New(clean), "blocks")
	wantCorrupt(t, err, "blocks")
}

// TestCorruptReadGCSBlob damages a byte of every download of gocloud's
// gcsblob in transit (fake-gcs-server): the client's check against the
// MD5 GCS keeps fails the read with ErrCorrupt, also for a gzip-encoded
// object, read as stored. (The storage library checks no CRC32C here:
// the bridge reads with an explicit length, a range request.)
func TestCorruptReadGCSBlob(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	ctx := t.Context()
	name := containerName(t)
	open := func(rt http.RoundTripper) (*objstore.Client, *storage.Client) {
		client, err := storage.NewClient(ctx, option.WithEndpoint(srv.URL+"/storage/v1/"),
			option.WithoutAuthentication(), option.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		t.Cleanup(func() { client.Close() })
		bucket, err := gcsblob.OpenBucket(ctx, nil, name, &gcsblob.Options{Client: client})
		require.NoError(t, err)
		b := gocloud.New(bucket, gocloud.OwnBucket())
		t.Cleanup(func() { b.Close() })
		return objstore.New(b), client
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	clean, client := open(tr)
	require.NoError(t, client.Bucket(name).Create(ctx, "objstore-test", nil))
	d := newDamagingTransport(t, true, false)
	damaged, _ := open(d)
	for _, attrs := range []backend.HTTPAttributes{{}, {ContentEncoding: "gzip"}} {
		_, err := clean.Backend().Put(ctx, "obj", bytes.NewReader(payload(4000)), backend.PutOptions{Size: 4000, HTTPAttributes: attrs})
		require.NoError(t, err)
		before := d.Damaged()
		_, err = readAll(ctx, damaged, "obj")
		require.Equal(t, before+1, d.Damaged(), "the transport damaged the download")
		wantCorrupt(t, err, "obj")
	}
}

// TestCorruptFileblob damages a blob in the store: a byte of the file
// fileblob keeps changes on disk after the put, while the MD5 fileblob
// recorded with it stays. A full read fails with ErrCorrupt.
func TestCorruptFileblob(t *testing.T) {
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, nil)
	require.NoError(t, err)
	b := gocloud.New(bucket, gocloud.OwnBucket())
	t.Cleanup(func() { b.Close() })
	ctx := t.Context()
	data := payload(4000)
	c := objstore.New(b)
	_, err = c.PutObject(ctx, "dir/obj", bytes.NewReader(data), nil)
	require.NoError(t, err)
	got, err := readAll(ctx, c, "dir/obj")
	require.NoError(t, err)
	require.Equal(t, data, got)

	path := filepath.Join(dir, "dir", "obj")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, data, raw, "fileblob keeps the bytes in the file of the key")
	raw[100] ^= 0x01
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	_, err = readAll(ctx, c, "dir/obj")
	wantCorrupt(t, err, "dir/obj")
}
