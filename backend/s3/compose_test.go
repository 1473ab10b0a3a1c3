package s3_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

// composeSources stores three sources that S3 can compose (every one but
// the last at least 5 MiB) under prefix and returns them, as a listing
// gives them (key and size), with their concatenation.
func composeSources(t *testing.T, b backend.Backend, prefix string) ([]backend.ObjectInfo, []byte) {
	t.Helper()
	var srcs []backend.ObjectInfo
	var all bytes.Buffer
	for i, size := range []int{s3drv.MinPartSize, s3drv.MinPartSize + 3, 1000} {
		p := payload(uint64(i+1), size)
		key := prefix + "/src." + string(rune('a'+i))
		_, err := b.Put(t.Context(), key, bytes.NewReader(p), backend.PutOptions{Size: int64(size)})
		require.NoError(t, err)
		srcs = append(srcs, backend.ObjectInfo{Key: key, Size: int64(size)})
		all.Write(p)
	}
	return srcs, all.Bytes()
}

// composeOrSkip composes srcs into dst, and on a server that refuses part
// copies checks the refusal (ErrNotSupported, nothing at dst, no upload
// left) and returns false.
func composeOrSkip(t *testing.T, srv *server, b backend.Backend, bucket, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, bool) {
	t.Helper()
	comp, ok := backend.As[backend.Composer](b)
	require.True(t, ok, "the s3 driver is a backend.Composer")
	info, err := comp.Compose(t.Context(), dst, srcs, opts)
	if srv.name == "versitygw" && errors.Is(err, backend.ErrNotSupported) {
		assert.False(t, srv.objectExists(t, bucket, dst))
		assert.Empty(t, srv.uploads(t, bucket), "the refused upload is aborted")
		t.Logf("%s refuses part copies: %v", srv.name, err)
		return info, false
	}
	require.NoError(t, err)
	return info, true
}

// TestCompose composes three sources with UploadPartCopy, through New and
// through the raw driver: the bytes in order, the given content type and
// metadata, no upload left behind.
func TestCompose(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		for _, raw := range []bool{false, true} {
			var b backend.Backend
			var bucket string
			if raw {
				b, bucket = srv.openRaw(t)
			} else {
				b, bucket = srv.open(t)
			}
			srcs, want := composeSources(t, b, "c")
			info, ok := composeOrSkip(t, srv, b, bucket, "c/out", srcs, backend.PutOptions{
				ContentType: "application/vnd.tcpdump.pcap", Metadata: map[string]string{"Iface": "eth0"}})
			if !ok {
				return
			}
			assert.EqualValues(t, len(want), info.Size)
			assert.NotEmpty(t, info.ETag)
			got := getAll(t, b, "c/out")
			assert.Equal(t, sum(want), sum(got), "raw %v: the sources' bytes in order", raw)
			st, err := b.Stat(t.Context(), "c/out")
			require.NoError(t, err)
			assert.Equal(t, "application/vnd.tcpdump.pcap", st.ContentType)
			assert.Equal(t, map[string]string{"iface": "eth0"}, st.Metadata)
			assert.Equal(t, info.ETag, st.ETag)
			assert.Empty(t, srv.uploads(t, bucket))
		}
	})
}

// TestComposeRefusesBeforeAnyRequest: sources S3 cannot compose are
// ErrNotSupported before any request, so the client can stream.
func TestComposeRefusesBeforeAnyRequest(t *testing.T) {
	ct := newCountingTransport()
	srv := servers[0].start(t)
	bucket := srv.newBucket(t)
	cfg := srv.config(bucket)
	cfg.HTTPClient = &http.Client{Transport: ct}
	d, err := s3drv.NewDriver(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	for name, srcs := range map[string][]backend.ObjectInfo{
		"small":   {{Key: "a", Size: 100}, {Key: "b", Size: 100}},
		"none":    nil,
		"too-big": {{Key: "a", Size: s3drv.MaxPartSize + 1}},
	} {
		_, err := d.Compose(t.Context(), "out", srcs, backend.PutOptions{})
		require.ErrorIs(t, err, backend.ErrNotSupported, name)
	}
	many := make([]backend.ObjectInfo, s3drv.MaxParts+1)
	for i := range many {
		many[i] = backend.ObjectInfo{Key: "k", Size: s3drv.MinPartSize}
	}
	_, err = d.Compose(t.Context(), "out", many, backend.PutOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost} {
		assert.Zero(t, ct.count(m), "%s requests", m)
	}
}

// TestComposeChangedSource: a source that is missing, or that changed
// since it was listed (another size, or another ETag than the one given),
// fails the compose, names the source, leaves dst as it was and no upload
// behind.
func TestComposeChangedSource(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, bucket := srv.openRaw(t)
		srcs, _ := composeSources(t, d, "c")
		_, err := d.Put(t.Context(), "c/out", strings.NewReader("old"), backend.PutOptions{Size: 3})
		require.NoError(t, err)
		if _, ok := composeOrSkip(t, srv, d, bucket, "c/probe", srcs, backend.PutOptions{}); !ok {
			return
		}
		check := func(what string, srcs []backend.ObjectInfo, bad string, kind error) {
			t.Helper()
			_, err := d.Compose(t.Context(), "c/out", srcs, backend.PutOptions{})
			require.Error(t, err, what)
			if kind != nil {
				require.ErrorIs(t, err, kind, what)
			}
			assert.NotErrorIs(t, err, backend.ErrNotSupported, "%s: no fallback for a changed source", what)
			assert.Contains(t, err.Error(), bad, what)
			assert.Equal(t, "old", string(getAll(t, d, "c/out")), what)
			assert.Empty(t, srv.uploads(t, bucket), what)
		}

		listed := append([]backend.ObjectInfo(nil), srcs...)
		listed[1].Size++
		check("size", listed, srcs[1].Key, nil)

		missing := append([]backend.ObjectInfo(nil), srcs...)
		missing[2] = backend.ObjectInfo{Key: "c/none", Size: 10}
		check("missing", missing, "c/none", backend.ErrNotFound)

		// Listed with the ETag of a version that was replaced since: the
		// part copy's x-amz-copy-source-if-match fails.
		st, err := d.Stat(t.Context(), srcs[0].Key)
		require.NoError(t, err)
		p := payload(99, int(srcs[0].Size))
		_, err = d.Put(t.Context(), srcs[0].Key, bytes.NewReader(p), backend.PutOptions{Size: int64(len(p))})
		require.NoError(t, err)
		stale := append([]backend.ObjectInfo(nil), srcs...)
		stale[0].ETag = st.ETag
		check("etag", stale, srcs[0].Key, nil)
	})
}

// compactBig writes the closed stream big/cap of three chunks (5 MiB,
// 5 MiB + 3, 1000 bytes), compacts it into big/out with c and checks the
// result; it returns whether the store composed it.
func compactBig(t *testing.T, srv *server, b backend.Backend, bucket string) bool {
	t.Helper()
	c := objstore.New(b)
	ctx := t.Context()
	w, err := c.PutStreamObject(ctx, "big/cap", map[string]string{"host": "h1"})
	require.NoError(t, err)
	var all bytes.Buffer
	for i, size := range []int{5 << 20, 5<<20 + 3, 1000} {
		p := payload(uint64(i+10), size)
		_, err := w.Write(p)
		require.NoError(t, err)
		all.Write(p)
	}
	require.NoError(t, w.Close())
	info, err := c.CompactStream(ctx, "big/cap", "big/out", objstore.CompactOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, all.Len(), info.Size)
	assert.Equal(t, 3, info.Chunks)
	assert.Equal(t, sum(all.Bytes()), sum(getAll(t, b, "big/out")))
	st, err := b.Stat(ctx, "big/out")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": "h1"}, st.Metadata)
	assert.Empty(t, srv.uploads(t, bucket))
	return info.ServerSide
}

// TestClientCompactServerSide: the client's CompactStream of a stream of
// 5 MiB chunks (the suite's stream/compact-large-chunks) composes on the
// server through New, on MinIO and on versitygw (both take part copies).
func TestClientCompactServerSide(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t)
		assert.True(t, compactBig(t, srv, b, bucket), "%s composes 5 MiB chunks with UploadPartCopy", srv.name)
	})
}

// refusePartCopies answers every UploadPartCopy with 501 NotImplemented,
// as a server without part copies does, and forwards the rest.
type refusePartCopies struct{ base http.RoundTripper }

func (r refusePartCopies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && req.Header.Get("X-Amz-Copy-Source") != "" && req.URL.Query().Has("uploadId") {
		if req.Body != nil {
			req.Body.Close()
		}
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>UploadPartCopy is not implemented (test)</Message></Error>`
		return &http.Response{
			StatusCode: http.StatusNotImplemented, Status: "501 Not Implemented", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"application/xml"}},
			Body:    io.NopCloser(strings.NewReader(body)),
			Request: req, ContentLength: int64(len(body)),
		}, nil
	}
	return r.base.RoundTrip(req)
}

// TestComposeRefusedPartCopy: a server that refuses part copies makes
// Compose abort its upload and return ErrNotSupported, and the client
// then streams the chunks.
func TestComposeRefusedPartCopy(t *testing.T) {
	srv := servers[0].start(t)
	tr := refusePartCopies{base: http.DefaultTransport.(*http.Transport).Clone()}
	b, bucket := srv.open(t, func(c *s3drv.Config) { c.HTTPClient = &http.Client{Transport: tr} })
	srcs, _ := composeSources(t, b, "c")
	comp, _ := backend.As[backend.Composer](b)
	_, err := comp.Compose(t.Context(), "c/out", srcs, backend.PutOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Contains(t, err.Error(), "UploadPartCopy")
	assert.False(t, srv.objectExists(t, bucket, "c/out"))
	assert.Empty(t, srv.uploads(t, bucket), "the refused upload is aborted")
	assert.False(t, compactBig(t, srv, b, bucket), "the client falls back to streaming")
}
