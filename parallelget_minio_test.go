package objstore_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestParallelGetMinIO reads a 48 MiB object from a real MinIO server
// through a minio:// URL with the default settings, over a slow link (a
// TCP proxy that delays every chunk: one connection carries some 20 to 60
// MiB/s): the first GET and 5 ranged GETs of 8 MiB with If-Match, counted
// by an HTTP proxy in front of the slow one; then an object overwritten
// during the read fails it with ErrChanged and only bytes of the old
// version.
func TestParallelGetMinIO(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a MinIO server")
	}
	noLeak(t)
	ctx := t.Context()
	srv := testserver.StartMinIO(t)
	link := faultproxy.Start(t, srv.Endpoint)
	proxy := faultproxy.StartHTTP(t, link.Addr())
	var pinned atomic.Int64 // ranged GETs with If-Match
	proxy.Inject(faultproxy.Fault{Method: http.MethodGet, Times: -1, Match: func(r *http.Request) bool {
		if r.Header.Get("If-Match") != "" && r.Header.Get("Range") != "" {
			pinned.Add(1)
		}
		return false // forward every request
	}})
	var b [6]byte
	_, _ = rand.Read(b[:])
	u := fmt.Sprintf("minio://%s:%s@%s/parallel-%s?create_bucket=true",
		url.PathEscape(srv.AccessKey), url.PathEscape(srv.SecretKey), proxy.Addr(), hex.EncodeToString(b[:]))
	c, err := objstore.Open(ctx, u)
	require.NoError(t, err)
	defer c.Close()

	data := make([]byte, 48<<20)
	_, _ = rand.Read(data)
	_, err = c.PutObject(ctx, "big", bytes.NewReader(data), nil)
	require.NoError(t, err)

	proxy.ResetCounts()
	link.SetLatency(500 * time.Microsecond)
	rc, err := c.GetObject(ctx, "big")
	require.NoError(t, err)
	var got bytes.Buffer
	_, err = io.Copy(&got, rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got.Bytes()), "the bytes of the object, in order")
	assert.Equal(t, 6, proxy.Requests(http.MethodGet), "one GET, then one per later 8 MiB segment")
	assert.Equal(t, int64(5), pinned.Load(), "the 5 segments are ranged GETs with If-Match")

	// Overwritten during the read: the reader has read segment 0 (the
	// first response, closed at its end: MinIO makes a PUT wait for the
	// open GETs of its object), the workers hold segments 1 to 4 (its
	// bound: 4 segments ahead); the GET of segment 5 finds the new
	// version.
	pinned.Store(0)
	rc, err = c.GetObject(ctx, "big")
	require.NoError(t, err)
	defer rc.Close()
	head := make([]byte, 8<<20)
	_, err = io.ReadFull(rc, head)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return pinned.Load() == 4 }, 30*time.Second, 5*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // the 4 segments arrive
	assert.Equal(t, int64(4), pinned.Load(), "no more than 4 segments ahead of the reader")
	link.SetLatency(0)
	start := time.Now()
	_, err = c.PutObject(ctx, "big", bytes.NewReader(bytes.Repeat([]byte("new"), 1<<20)), nil)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second, "no GET of the object was left open")
	rest, err := io.ReadAll(rc)
	require.ErrorIs(t, err, objstore.ErrChanged)
	all := append(head, rest...)
	assert.Equal(t, 40<<20, len(all), "segments 0 to 4, of the old version")
	assert.True(t, bytes.Equal(data[:len(all)], all), "only bytes of the old version (%d)", len(all))
	assert.Equal(t, int64(5), pinned.Load())
}
