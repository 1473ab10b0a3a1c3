package minio_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRemoveBucket: on a real MinIO, a bucket with an object is refused
// (ErrExist) and kept, an empty one is removed, a missing one is
// ErrNotFound; by Config and by minio:// URL through the registry, whose
// errors never hold the secret. An unreachable first endpoint passes the
// turn to the next.
func TestRemoveBucket(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := admin(t, srv)
	ctx := t.Context()
	cfg := baseConfig(t, srv) // created by the first open below, dropped on cleanup
	b, err := minio.New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	_, err = b.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	err = minio.RemoveBucket(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), "remove-store")
	assert.Contains(t, err.Error(), "is not empty")
	var er miniogo.ErrorResponse
	require.ErrorAs(t, err, &er, "the server's answer stays reachable")
	assert.Equal(t, "BucketNotEmpty", er.Code)
	ok, err := adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.True(t, ok, "the bucket is kept")

	require.NoError(t, b.Remove(ctx, "k"))
	// The first endpoint is down: the second one removes the bucket.
	down := cfg
	down.Endpoints = []string{"127.0.0.1:1", srv.Endpoint}
	down.Retry.MaxAttempts = 1
	require.NoError(t, minio.RemoveBucket(ctx, down))
	ok, err = adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.False(t, ok, "the bucket is gone")
	assert.ErrorIs(t, minio.RemoveBucket(ctx, cfg), backend.ErrNotFound)

	// By URL, through the registry.
	raw := fmt.Sprintf("minio://%s:%s@%s/%s", url.PathEscape(srv.AccessKey), url.PathEscape(srv.SecretKey), srv.Endpoint, cfg.Bucket)
	err = backend.RemoveStore(ctx, raw)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Contains(t, err.Error(), cfg.Bucket)
	assert.NotContains(t, err.Error(), srv.SecretKey)
	require.NoError(t, adm.MakeBucket(ctx, cfg.Bucket, miniogo.MakeBucketOptions{}))
	require.NoError(t, backend.RemoveStore(ctx, raw+"?create_bucket=true"), "open-only parameters are accepted")
	ok, err = adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.False(t, ok)

	// Wrong credentials: refused, nothing removed, no secret in the error.
	require.NoError(t, adm.MakeBucket(ctx, cfg.Bucket, miniogo.MakeBucketOptions{}))
	bad := fmt.Sprintf("minio://%s:wrong-secret-42@%s/%s", url.PathEscape(srv.AccessKey), srv.Endpoint, cfg.Bucket)
	err = backend.RemoveStore(ctx, bad)
	require.ErrorIs(t, err, backend.ErrPermission)
	assert.NotContains(t, fmt.Sprintf("%+v", err), "wrong-secret-42")
	ok, err = adm.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.True(t, ok)

	// A URL the driver refuses is an invalid argument of the removal.
	err = backend.RemoveStore(ctx, "minio://"+srv.Endpoint+"/")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "remove-store")
}
