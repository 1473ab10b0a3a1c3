package prefix_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/prefix"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// The capabilities of a real store work through a view: a presigned URL
// fetched with plain net/http reaches the view's object, lifecycle rules
// are set and read inside the view, health is the store's.
func TestMinIOCapabilities(t *testing.T) {
	ctx := context.Background()
	srv := testserver.StartMinIO(t)
	inner, err := minio.New(ctx, minio.Config{
		Endpoints: []string{srv.Endpoint}, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		Bucket: "caps", CreateBucket: true,
	})
	require.NoError(t, err)
	t.Cleanup(func() { inner.Close() })
	v, err := prefix.New(inner, "t/")
	require.NoError(t, err)
	t.Cleanup(func() { v.Close() })

	_, err = v.Put(ctx, "a", strings.NewReader("inside"), backend.PutOptions{Size: 6})
	require.NoError(t, err)
	_, err = inner.Put(ctx, "a", strings.NewReader("outside"), backend.PutOptions{Size: 7})
	require.NoError(t, err)

	p, ok := backend.As[backend.Presigner](v)
	require.True(t, ok, "minio presigns, so the view does")
	u, err := p.Presign(ctx, http.MethodGet, "a", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	assert.Contains(t, u, "/caps/t/a?")
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "inside", string(body))
	_, err = p.Presign(ctx, http.MethodGet, "../a", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	l, ok := backend.As[backend.Lifecycler](v)
	require.True(t, ok)
	require.NoError(t, l.SetExpiry(ctx, "logs/", 7))
	rules, err := l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 7}, rules)
	il, _ := backend.As[backend.Lifecycler](inner)
	rules, err = il.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, 7, rules["t/logs/"], "the rule is the view's prefix in the store")

	h, ok := backend.As[backend.HealthChecker](v)
	require.True(t, ok)
	hs, err := h.Health(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, hs)
	assert.True(t, hs[0].Live)

	br, ok := backend.As[backend.BatchRemover](v)
	require.True(t, ok)
	require.NoError(t, br.RemoveMany(ctx, []string{"a"}))
	assert.Equal(t, "outside", readAll(t, inner, "a"), "the store's own a is untouched")
}
