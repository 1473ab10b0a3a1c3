package gocloud_test

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// foreignFill is what other tools leave in a container: "folder" blobs
// (empty, name ending in '/'), blobs under them, and a name with "//".
// backend.ValidateKey refuses "photos/", "photos/2026/" and "a//b".
var foreignFill = []struct{ key, data string }{
	{"photos/", ""},
	{"photos/2026/", ""},
	{"photos/2026/a.jpg", "jpeg bytes"},
	{"docs/readme.txt", "read me"},
	{"a//b", "double slash"},
}

// TestForeignKeysAzurite fills a container with the Azure SDK, as another
// tool would, and lists, reads and removes it through objstore. As
// docs/foreign-keys.md says, the gocloud driver cannot address a name that
// ValidateKey refuses (gocloud escapes a trailing '/'), so it leaves such
// names out of listings and RemoveObjects leaves them in place, without
// failing; every other blob is listed, read and removed.
func TestForeignKeysAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	ctx := context.Background()
	name := containerName(t)
	b, err := gocloud.NewAzureDriver(ctx, gocloud.AzureConfig{
		Container:       name,
		ServiceURL:      az.Endpoint,
		AccountName:     az.Account,
		AccountKey:      az.Key,
		CreateContainer: true,
	})
	require.NoError(t, err)
	c := objstore.New(b)
	t.Cleanup(func() { c.Close() })
	raw := rawContainer(t, az, name)

	var stored, foreign []string
	for _, f := range foreignFill {
		if _, err := raw.NewBlockBlobClient(f.key).UploadBuffer(ctx, []byte(f.data), nil); err != nil {
			t.Logf("Azurite refuses the name %q: %v", f.key, err)
			continue
		}
		stored = append(stored, f.key)
		if backend.ValidateKey("put", f.key) != nil {
			foreign = append(foreign, f.key)
		}
	}
	slices.Sort(stored)
	require.Equal(t, stored, sorted(listRaw(t, raw)))
	require.Contains(t, foreign, "photos/", "Azurite stores names ending in '/'")

	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"docs/readme.txt", "photos/2026/a.jpg"}, keys, "names ValidateKey refuses are left out")

	for _, f := range foreignFill {
		rc, err := c.GetObject(ctx, f.key)
		if backend.ValidateKey("get", f.key) != nil {
			assert.ErrorIs(t, err, objstore.ErrInvalidKey, "Get(%q)", f.key)
			continue
		}
		require.NoError(t, err, "Get(%q)", f.key)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		assert.Equal(t, f.data, string(got), "Get(%q)", f.key)
	}

	require.NoError(t, c.RemoveObjects(ctx, "photos/"), "names it cannot address do not make RemoveObjects fail")
	require.NoError(t, c.RemoveObjects(ctx, ""))
	assert.Equal(t, sorted(foreign), sorted(listRaw(t, raw)), "every listed blob is removed; only the foreign names are left")

	// Handed such a name as a listed key, RemoveMany says it cannot remove
	// it rather than reporting a delete of an escaped name that never
	// existed as success.
	err = b.RemoveMany(backend.WithListedKeys(ctx), foreign)
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), len(foreign))
	assert.Equal(t, sorted(foreign), sorted(listRaw(t, raw)))

	for _, k := range foreign {
		_, err := raw.NewBlobClient(k).Delete(ctx, nil)
		require.NoError(t, err, "the SDK removes %q", k)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}
