package gocloud_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// methodLog is a reverse proxy in front of Azurite that records the
// method of every request.
type methodLog struct {
	mu      sync.Mutex
	methods []string
}

func (l *methodLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.methods
	l.methods = nil
	return m
}

// openLoggedAzure returns the raw Azure driver on a fresh Azurite, its
// requests going through a proxy that logs their methods.
func openLoggedAzure(t *testing.T) (*methodLog, *gocloud.Backend) {
	az := testserver.StartAzurite(t)
	log, endpoint := proxyAzurite(t, az)
	cfg := azureConfig(t, az)
	cfg.ServiceURL = endpoint
	b, err := gocloud.NewAzureDriver(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return log, b
}

func proxyAzurite(t *testing.T, az *testserver.Azurite) (*methodLog, string) {
	u, err := url.Parse(az.Endpoint)
	require.NoError(t, err)
	log := &methodLog{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.methods = append(log.methods, r.Method)
		log.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return log, srv.URL + u.Path
}

// TestAzureGetIsOneRequest: a Get without preconditions is one Get Blob,
// whose answer carries the info (the same as Stat's), for a whole read
// and for ranges; a range that starts at the end or past it, and a
// conditional Get, still get their answers (through the attributes).
func TestAzureGetIsOneRequest(t *testing.T) {
	log, b := openLoggedAzure(t)
	ctx := t.Context()

	data := bytes.Repeat([]byte("0123456789"), 1000)
	put := backend.PutOptions{
		Size:           int64(len(data)),
		ContentType:    "text/plain",
		Metadata:       map[string]string{"owner": "ops", "odd-key_x": "a b/ü%"},
		HTTPAttributes: backend.HTTPAttributes{CacheControl: "no-cache", ContentDisposition: "inline", ContentLanguage: "en"},
	}
	_, err := b.Put(ctx, "dir/obj", bytes.NewReader(data), put)
	require.NoError(t, err)
	want, err := b.Stat(ctx, "dir/obj")
	require.NoError(t, err)
	require.NotEmpty(t, want.Checksum.Value, "the blob has its Content-MD5")
	log.take()

	for _, tc := range []struct {
		name   string
		opts   backend.GetOptions
		expect []byte
	}{
		{"whole", backend.WholeObject, data},
		{"range", backend.GetOptions{Offset: 10, Length: 25}, data[10:35]},
		{"tail", backend.GetOptions{Offset: 9990, Length: -1}, data[9990:]},
		{"past the end", backend.GetOptions{Offset: 9990, Length: 100}, data[9990:]},
	} {
		rc, info, err := b.Get(ctx, "dir/obj", tc.opts)
		require.NoError(t, err, tc.name)
		got, err := io.ReadAll(rc)
		require.NoError(t, err, tc.name)
		require.NoError(t, rc.Close())
		assert.Equal(t, tc.expect, got, tc.name)
		assert.Equal(t, want, info, tc.name)
		assert.Equal(t, []string{"GET"}, log.take(), "%s: one Get Blob", tc.name)
	}

	// A range at the end is empty, past it an error: Azure refuses both
	// (416), the attributes judge.
	rc, _, err := b.Get(ctx, "dir/obj", backend.GetOptions{Offset: int64(len(data)), Length: -1})
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	rc.Close()
	assert.Empty(t, got)
	log.take() // one GET on Azurite (206, empty), a GET (416) and a HEAD on Azure
	_, _, err = b.Get(ctx, "dir/obj", backend.GetOptions{Offset: int64(len(data)) + 1, Length: -1})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Equal(t, []string{"GET", "HEAD"}, log.take(), "past the end: refused, judged by the attributes")

	_, _, err = b.Get(ctx, "dir/missing", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Equal(t, []string{"GET"}, log.take(), "a missing blob: one request")

	opts := backend.WholeObject
	opts.IfNoneMatch = want.ETag
	_, _, err = b.Get(ctx, "dir/obj", opts)
	require.ErrorIs(t, err, backend.ErrNotModified)
}

// TestAzureEscapingBothWays: blobs written by the one-request put
// (known size) read back through gocloud (Stat, the two-request get with
// preconditions), and blobs written through gocloud (unknown size) read
// back with the one-request get, with names and metadata keys that
// gocloud escapes; both ways give the same info and bytes.
func TestAzureEscapingBothWays(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az)
	ctx := t.Context()
	meta := map[string]string{"a-b": "x y", "k-9": "%2F/ ü"}
	for _, key := range []string{`back\slash`, "odd #?%\"x", "__0x2f__", "tail.", "ü/ß"} {
		for _, size := range []int64{5, -1} {
			data := []byte("hello")
			info, err := b.Put(ctx, key, bytes.NewReader(data), backend.PutOptions{Size: size, Metadata: meta})
			require.NoError(t, err, "%q size %d", key, size)
			st, err := b.Stat(ctx, key)
			require.NoError(t, err)
			assert.Equal(t, meta, st.Metadata, "%q size %d", key, size)
			if size >= 0 {
				assert.Equal(t, st.ETag, info.ETag, "the one-request put reports the ETag")
				assert.Equal(t, st.LastModified, info.LastModified)
			}
			for _, opts := range []backend.GetOptions{backend.WholeObject, {Length: -1, IfMatch: st.ETag}} {
				rc, got, err := b.Get(ctx, key, opts)
				require.NoError(t, err)
				body, err := io.ReadAll(rc)
				require.NoError(t, err)
				rc.Close()
				assert.Equal(t, data, body)
				assert.Equal(t, st, got, "%q size %d", key, size)
			}
		}
	}
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, page.Objects, 5, "each name is one blob, whichever way it was written")
}

func TestAzureMetadataKeysUnescaped(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                "plain",
		"a__0x2d__b":           "a-b",
		"__0x2e__x__0x2d__":    ".x-",
		"__0x__":               "__0x__",
		"a__0xzz__b":           "a__0xzz__b",
		"a__0x2d":              "a__0x2d",
		"x__0x1f600__y":        "x😀y",
		strings.Repeat("_", 5): strings.Repeat("_", 5),
	} {
		assert.Equal(t, want, gocloud.HexUnescape(in), in)
	}
}

// TestAzurePutFromReaderAt: a put of known size from an io.ReaderAt (a
// bytes.Reader already partly read, a file, a section) is one Put Blob of
// the bytes from where the reader stands, leaves the reader after them,
// and a reader shorter or longer than the size stores nothing.
func TestAzurePutFromReaderAt(t *testing.T) {
	log, b := openLoggedAzure(t)
	ctx := t.Context()
	data := bytes.Repeat([]byte("abcdefghij"), 1<<20+7) // 10 MiB and a bit: more than one block

	r := bytes.NewReader(data)
	_, err := r.Seek(3, io.SeekStart)
	require.NoError(t, err)
	log.take()
	info, err := b.Put(ctx, "at", r, backend.PutOptions{Size: int64(len(data) - 3)})
	require.NoError(t, err)
	assert.Equal(t, []string{"PUT"}, log.take(), "one Put Blob")
	assert.Equal(t, 0, r.Len(), "the reader is left after the bytes")
	st, err := b.Stat(ctx, "at")
	require.NoError(t, err)
	assert.Equal(t, st.ETag, info.ETag)
	assert.Equal(t, st.Checksum, info.Checksum)
	rc, _, err := b.Get(ctx, "at", backend.WholeObject)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	rc.Close()
	assert.True(t, bytes.Equal(data[3:], got))

	log.take()
	for _, size := range []int64{int64(len(data)) - 1, int64(len(data)) + 1} {
		_, err = b.Put(ctx, "wrong", bytes.NewReader(data), backend.PutOptions{Size: size})
		require.ErrorIs(t, err, backend.ErrInvalidArgument, "size %d", size)
		_, err = b.Stat(ctx, "wrong")
		require.ErrorIs(t, err, backend.ErrNotFound, "nothing stored")
	}
	assert.Equal(t, []string{"HEAD", "HEAD"}, log.take(), "the wrong sizes sent nothing (the Stats' HEADs only)")
}
