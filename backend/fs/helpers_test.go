package fs_test

import (
	"context"
	"errors"
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

// listAll lists every object with prefix as the client's Objects does
// (page after page until an empty token), returning the keys listed before
// the first error and that error. The fs tests do not import the client
// package, so that they build while other drivers are being edited.
func listAll(ctx context.Context, b backend.Backend, prefix string, pageSize int) ([]string, error) {
	var keys []string
	opts := backend.ListOptions{Prefix: prefix, PageSize: pageSize}
	for {
		page, err := b.List(ctx, opts)
		if err != nil {
			return keys, err
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.NextToken == "" || page.NextToken == opts.Token {
			return keys, nil
		}
		opts.Token = page.NextToken
	}
}

// removeAll removes every object with prefix as the client's
// RemoveObjects does with a BatchRemover: each page's keys with one
// RemoveMany, going on after per-key failures, and the listing's error
// joined to theirs.
func removeAll(ctx context.Context, b *fs.Backend, prefix string) error {
	var errs []error
	opts := backend.ListOptions{Prefix: prefix}
	for {
		page, err := b.List(ctx, opts)
		if err != nil {
			errs = append(errs, err)
			break
		}
		keys := make([]string, len(page.Objects))
		for i, o := range page.Objects {
			keys[i] = o.Key
		}
		if len(keys) > 0 {
			if err := b.RemoveMany(ctx, keys); err != nil {
				errs = append(errs, err)
			}
		}
		if page.NextToken == "" {
			break
		}
		opts.Token = page.NextToken
	}
	return errors.Join(errs...)
}
