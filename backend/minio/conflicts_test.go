package minio_test

import (
	"bytes"
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestConflictLeavesNothing: a put that nests with an existing object is
// refused (internal/s3core, conflict.go), and nothing is left on the
// server: the raw client proves it, since MinIO's listings would not
// show it anyway.
func TestConflictLeavesNothing(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()
	put := func(k string, opts backend.PutOptions) error {
		opts.Size = int64(len(k))
		_, err := d.Put(ctx, k, bytes.NewReader([]byte(k)), opts)
		return err
	}
	stored := func(k string) bool {
		_, err := d.Client().StatObject(ctx, d.Bucket(), k, miniogo.StatObjectOptions{})
		return err == nil
	}
	require.NoError(t, put("nest", backend.PutOptions{}))
	require.ErrorIs(t, put("nest/child", backend.PutOptions{}), backend.ErrExist)
	assert.False(t, stored("nest/child"), "the put's own object is removed")

	require.NoError(t, put("deep/er/child", backend.PutOptions{}))
	for _, k := range []string{"deep", "deep/er"} {
		require.ErrorIs(t, put(k, backend.PutOptions{}), backend.ErrExist, k)
		assert.False(t, stored(k), k)
	}

	// Overwrites wait for the check and replace the object.
	require.NoError(t, put("nest", backend.PutOptions{}))
	require.NoError(t, put("deep/er/child", backend.PutOptions{}))
	// A create-only put of an existing key is ErrExist, and keeps it.
	require.ErrorIs(t, put("nest", backend.PutOptions{IfNotExist: true}), backend.ErrExist)
	assert.True(t, stored("nest"))
	// A compare-and-swap checks first.
	st, err := d.Stat(ctx, "nest")
	require.NoError(t, err)
	require.NoError(t, put("nest", backend.PutOptions{IfMatch: st.ETag}))
}

// TestOverwriteIsOneRequest: replacing an object this driver stored is
// one PUT pinned to the ETag it remembers, without the conflict check; a
// new key is checked first.
func TestOverwriteIsOneRequest(t *testing.T) {
	srv := testserver.StartMinIO(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	rec := &recorder{RoundTripper: tr}
	d := openDriver(t, srv, func(c *minio.Config) { c.Transport = rec })
	put := func() {
		t.Helper()
		_, err := d.Put(context.Background(), "a/b/c", bytes.NewReader([]byte("x")), backend.PutOptions{Size: 1})
		require.NoError(t, err)
	}
	rec.take() // the bucket's creation
	put()
	assert.Equal(t, []string{"GET", "HEAD", "HEAD", "PUT"}, rec.take(), "a new key: the check (LIST, a HEAD per ancestor), then the PUT")
	put()
	got := rec.take()
	assert.Equal(t, []string{"PUT If-Match"}, got, "an overwrite: one request")
}

// recorder records the methods of the requests it sends, in order (the
// check's requests sorted: they go together), with " If-Match" for a
// conditional PUT.
type recorder struct {
	http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	m := req.Method
	if req.Header.Get("If-Match") != "" {
		m += " If-Match"
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, m)
	r.mu.Unlock()
	return r.RoundTripper.RoundTrip(req)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.reqs
	r.reqs = nil
	sort.Strings(got[:max(len(got)-1, 0)])
	return got
}
