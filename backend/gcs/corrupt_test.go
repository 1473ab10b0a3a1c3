package gcs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// damagingTransport is a drivertest.Damaging for the storage library: it
// damages the body of every object download (a GET outside the JSON API:
// an XML read, or alt=media) when reads is set, and of every upload
// request that carries object bytes when uploads is set, and records the
// X-Goog-Hash of the upload requests that send one.
type damagingTransport struct {
	*drivertest.Damaging
	mu     sync.Mutex
	hashes []string
}

func newDamagingTransport(t *testing.T, reads, uploads bool) *damagingTransport {
	upload := func(req *http.Request) bool { return strings.HasPrefix(req.URL.Path, "/upload/") }
	d := &damagingTransport{Damaging: drivertest.NewDamaging(t, reads, uploads, func(req *http.Request) bool {
		return req.Method == http.MethodGet &&
			(!strings.HasPrefix(req.URL.Path, "/storage/v1/") || req.URL.Query().Get("alt") == "media")
	}, upload)}
	d.Observe = func(req *http.Request) {
		if h := req.Header.Get("X-Goog-Hash"); h != "" && upload(req) {
			d.mu.Lock()
			d.hashes = append(d.hashes, h)
			d.mu.Unlock()
		}
	}
	return d
}

// openDamaging opens the bucket of clean through a client whose
// transport is d.
func openDamaging(t *testing.T, srv *testserver.FakeGCS, clean *gcs.Backend, d *damagingTransport, chunk int) *gcs.Backend {
	t.Helper()
	b, err := gcs.NewDriver(context.Background(), gcs.Config{
		Bucket:        clean.Bucket(),
		Endpoint:      srv.URL + "/storage/v1/",
		Anonymous:     true,
		ChunkSize:     chunk,
		ClientOptions: []option.ClientOption{option.WithHTTPClient(&http.Client{Transport: d})},
	})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// TestCorruptReadFails damages a byte of every download in transit: a
// full read through the client fails with ErrCorrupt, for a plain object
// and for a gzip-encoded one (read as stored, so still checked), never
// returning the wrong bytes with a clean EOF. A ranged read is not
// verified: it returns what the server sent.
func TestCorruptReadFails(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	clean := openFresh(t, srv, gcs.Config{})
	d := newDamagingTransport(t, true, false)
	damaged := objstore.New(openDamaging(t, srv, clean, d, 0))
	ctx := t.Context()
	data := payload(4000)
	for _, opts := range []backend.PutOptions{
		{Size: int64(len(data))},
		{Size: int64(len(data)), HTTPAttributes: backend.HTTPAttributes{ContentEncoding: "gzip"}},
	} {
		_, err := clean.Put(ctx, "obj", bytes.NewReader(data), opts)
		require.NoError(t, err)
		before := d.Damaged()
		rc, err := damaged.GetObject(ctx, "obj")
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.Equal(t, before+1, d.Damaged(), "the transport damaged the download")
		require.ErrorIs(t, err, objstore.ErrCorrupt, "a damaged full read (encoding %q) must fail, not return %d bytes", opts.ContentEncoding, len(got))
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "get", be.Op)
		assert.Equal(t, "obj", be.Key)
		t.Logf("encoding %q: %v", opts.ContentEncoding, err)

		rc, err = damaged.GetObjectRange(ctx, "obj", 0, 1000)
		require.NoError(t, err)
		got, err = io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err, "a ranged read is not verified")
		assert.NotEqual(t, data[:1000], got, "and returns the damaged bytes")
	}
}

// TestCorruptUpload damages a byte of the object in the upload request.
// The storage library declares the CRC32C of the bytes it was given with
// every upload: in the metadata of a one-request upload, in X-Goog-Hash on
// the last request of a resumable one. GCS refuses either when the bytes
// it received differ, and so does fake-gcs-server for a one-request
// upload: Put fails with ErrCorrupt and nothing is stored. fake-gcs-server
// ignores X-Goog-Hash and stores the damaged resumable upload; the driver
// then finds GCS's CRC32C of the stored object differs from that of the
// bytes put, removes that generation and fails with ErrCorrupt. Either way
// no damaged object is left for a reader.
func TestCorruptUpload(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	clean := openFresh(t, srv, gcs.Config{})
	d := newDamagingTransport(t, false, true)
	b := openDamaging(t, srv, clean, d, 256<<10)
	ctx := t.Context()
	for _, c := range []struct {
		key     string
		n       int
		size    int64 // 0: n
		refused bool  // by the server itself
	}{
		{"one-request", 1000, 0, true},
		{"resumable-known", 600 << 10, 0, false},
		{"resumable-unknown", 600 << 10, -1, false},
	} {
		data := bytes.Repeat([]byte("A"), c.n)
		size := c.size
		if size == 0 {
			size = int64(c.n)
		}
		before := d.Damaged()
		d.mu.Lock()
		d.hashes = nil
		d.mu.Unlock()
		_, err := b.Put(ctx, c.key, bytes.NewReader(data), backend.PutOptions{Size: size})
		require.Greater(t, d.Damaged(), before, "%s: the transport damaged the upload", c.key)
		require.ErrorIs(t, err, backend.ErrCorrupt, c.key)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, c.key, be.Key)
		var gerr *googleapi.Error
		assert.Equal(t, c.refused, errors.As(err, &gerr), "%s: refused by the server: %v", c.key, err)
		if !c.refused {
			want := "crc32c=" + base64.StdEncoding.EncodeToString(backend.ChecksumOf(backend.CRC32C, data).Value)
			d.mu.Lock()
			assert.Equal(t, []string{want}, d.hashes, "%s: the last request declared the CRC32C of the bytes put, which GCS checks", c.key)
			d.mu.Unlock()
		}
		t.Logf("%s: %v", c.key, err)
		_, err = clean.Stat(ctx, c.key)
		assert.ErrorIs(t, err, backend.ErrNotFound, "%s: no damaged object is left", c.key)
	}
}
