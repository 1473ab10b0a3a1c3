package prefix_test

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// readAll returns the whole object at key.
func readAll(t testing.TB, b backend.Backend, key string) string {
	t.Helper()
	rc, _, err := b.Get(context.Background(), key, backend.WholeObject)
	require.NoError(t, err, "get %q", key)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err, "read %q", key)
	return string(data)
}

// listAll returns every key under p, page by page (pages of 2, to use the
// tokens).
func listAll(t testing.TB, b backend.Backend, p string) []string {
	t.Helper()
	keys, err := listWith(b, p, "", 2)
	require.NoError(t, err)
	return keys
}

// listWith lists from token on, in pages of size, to the end.
func listWith(b backend.Backend, p, token string, size int) ([]string, error) {
	keys := []string{}
	for range 10000 {
		page, err := b.List(context.Background(), backend.ListOptions{Prefix: p, PageSize: size, Token: token})
		if err != nil {
			return keys, err
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	return keys, nil
}

func sorted(keys []string) []string { return slices.Sorted(slices.Values(keys)) }
