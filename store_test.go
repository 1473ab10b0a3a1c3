package objstore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
)

// TestRemoveStore: the store lives as long as its URL says; RemoveStore
// refuses a store with objects (ErrExist), removes it once they are gone,
// and says ErrNotFound after. mem:// has no remover (ErrNotSupported).
// The drivers' own tests run the same against their real servers.
func TestRemoveStore(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "store")
	url := "file://" + filepath.ToSlash(dir)
	c, err := objstore.Open(ctx, url)
	require.NoError(t, err)
	_, err = c.PutObject(ctx, "a/b", strings.NewReader("v"), nil)
	require.NoError(t, err)
	w, err := c.PutStreamObject(ctx, "s", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("chunk"))
	require.NoError(t, err)
	require.NoError(t, w.Close())

	err = objstore.RemoveStore(ctx, url)
	require.ErrorIs(t, err, objstore.ErrExist)
	assert.Contains(t, err.Error(), "not empty")
	assert.DirExists(t, dir)

	require.NoError(t, c.RemoveObjects(ctx, ""))
	require.NoError(t, c.Close())
	require.NoError(t, objstore.RemoveStore(ctx, url))
	assert.NoDirExists(t, dir)
	assert.ErrorIs(t, objstore.RemoveStore(ctx, url), objstore.ErrNotFound)

	assert.ErrorIs(t, objstore.RemoveStore(ctx, "mem://x"), objstore.ErrNotSupported)
	assert.ErrorIs(t, objstore.RemoveStore(ctx, "nosuch://x"), objstore.ErrNotSupported)
}
