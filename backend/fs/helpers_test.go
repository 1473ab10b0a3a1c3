package fs_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// readAll reads the whole object at key.
func readAll(t *testing.T, b backend.Backend, key string) string {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(data)
}

// listKeys lists every key with prefix, in pages of pageSize.
func listKeys(t *testing.T, b backend.Backend, prefix string, pageSize int) []string {
	t.Helper()
	var keys []string
	token := ""
	for range 100000 {
		page, err := b.List(t.Context(), backend.ListOptions{Prefix: prefix, PageSize: pageSize, Token: token})
		require.NoError(t, err)
		if pageSize > 0 {
			require.LessOrEqual(t, len(page.Objects), pageSize)
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.NextToken == "" {
			return keys
		}
		require.NotEmpty(t, page.Objects, "a page with a next token must not be empty")
		token = page.NextToken
	}
	t.Fatal("listing did not end")
	return nil
}

// newStore opens a store on a fresh temporary directory, closed on cleanup.
func newStore(t *testing.T, opts ...fs.Option) *fs.Backend {
	t.Helper()
	b, err := fs.New(t.TempDir(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}
