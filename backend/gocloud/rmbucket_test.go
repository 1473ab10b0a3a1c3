package gocloud_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestRemoveAzureContainer: on Azurite, a container with a blob (or with
// the uncommitted blocks of a put in progress) is refused (ErrExist) and
// kept with its blob, an empty one is removed, a missing one is
// ErrNotFound; by AzureConfig and by azblob:// URL through the registry.
func TestRemoveAzureContainer(t *testing.T) {
	az := testserver.StartAzurite(t)
	ctx := t.Context()
	name := containerName(t)
	cfg := gocloud.AzureConfig{Container: name, ServiceURL: az.Endpoint, AccountName: az.Account, AccountKey: az.Key}
	create := cfg
	create.CreateContainer = true
	b, err := gocloud.NewAzure(ctx, create)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	raw := rawContainer(t, az, name)
	exists := func() bool {
		_, err := raw.GetProperties(ctx, nil)
		return err == nil
	}
	_, err = b.Put(ctx, "dir/k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	err = gocloud.RemoveAzureContainer(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), "remove-store")
	assert.Contains(t, err.Error(), "is not empty")
	assert.True(t, exists(), "the container is kept")
	assert.Len(t, listRaw(t, raw), 1, "with its blob")

	// Only the staged blocks of an upload in progress: not empty either.
	require.NoError(t, b.Remove(ctx, "dir/k"))
	blockID := base64.StdEncoding.EncodeToString([]byte("block-0000"))
	_, err = raw.NewBlockBlobClient("staged").StageBlock(ctx, blockID, streaming.NopCloser(bytes.NewReader([]byte("part"))), nil)
	require.NoError(t, err)
	err = gocloud.RemoveAzureContainer(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Contains(t, err.Error(), `"staged"`)
	assert.True(t, exists())
	_, err = raw.NewBlockBlobClient("staged").Delete(ctx, nil)
	require.NoError(t, err)

	require.NoError(t, gocloud.RemoveAzureContainer(ctx, cfg))
	assert.False(t, exists(), "the container is gone")
	err = gocloud.RemoveAzureContainer(ctx, cfg)
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Contains(t, err.Error(), name)

	// By URL, configured by the environment as users configure Azurite.
	setAzuriteEnv(t, az)
	url := "azblob://" + name
	assert.ErrorIs(t, backend.RemoveStore(ctx, url), backend.ErrNotFound)
	opened, err := backend.Open(ctx, url+"?create_container=true")
	require.NoError(t, err)
	require.NoError(t, opened.Close())
	assert.True(t, exists())
	require.NoError(t, backend.RemoveStore(ctx, url+"?create_container=true"))
	assert.False(t, exists())

	err = backend.RemoveStore(ctx, url+"?nope=1")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "remove-store")
	assert.ErrorIs(t, gocloud.RemoveAzureContainer(ctx, gocloud.AzureConfig{}), backend.ErrInvalidArgument)
}
