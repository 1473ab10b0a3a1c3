package gcs_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRemoveBucket: on fake-gcs-server, a bucket with an object is
// refused (ErrExist) and kept, an empty one is removed, a missing one is
// ErrNotFound; by Config and by gs:// URL through the registry.
func TestRemoveBucket(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	ctx := t.Context()
	b := openFresh(t, srv, gcs.Config{})
	cfg := gcs.Config{Bucket: b.Bucket(), Endpoint: srv.URL + "/storage/v1/", Anonymous: true}
	_, err := b.Put(ctx, "dir/k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	exists := func() bool {
		_, err := b.Client().Bucket(cfg.Bucket).Attrs(ctx)
		return err == nil
	}

	err = gcs.RemoveBucket(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), "remove-store")
	assert.Contains(t, err.Error(), "is not empty")
	assert.True(t, exists(), "the bucket is kept")

	require.NoError(t, b.Remove(ctx, "dir/k"))
	require.NoError(t, gcs.RemoveBucket(ctx, cfg))
	assert.False(t, exists(), "the bucket is gone")
	err = gcs.RemoveBucket(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Contains(t, err.Error(), cfg.Bucket)

	// By URL (the emulator named by the environment, as users point at it).
	t.Setenv("STORAGE_EMULATOR_HOST", srv.Endpoint)
	raw := "gs://" + cfg.Bucket + "?project=p"
	assert.ErrorIs(t, backend.RemoveStore(ctx, raw), backend.ErrNotFound)
	opened, err := backend.Open(ctx, raw+"&create_bucket=true")
	require.NoError(t, err)
	require.NoError(t, opened.Close())
	assert.True(t, exists())
	require.NoError(t, backend.RemoveStore(ctx, raw))
	assert.False(t, exists())

	err = backend.RemoveStore(ctx, "gs://"+cfg.Bucket+"/path")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "remove-store")
}
