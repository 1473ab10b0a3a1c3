package mem_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Keys that other tools write and backend.ValidateKey refuses
// (docs/foreign-keys.md). A mem store only holds keys its Put accepted, so
// here they reach RemoveMany directly, or through a store (foreignStore)
// that lists them as a bucket filled by another tool would.
var foreignKeys = []string{"photos/", "photos/2026/", "a//b", "/lead"}

// TestForeignKeysRemoveMany: a batch with keys ValidateKey refuses removes
// the others and reports each refused key on its own.
func TestForeignKeysRemoveMany(t *testing.T) {
	ctx := context.Background()
	b := mem.New()
	t.Cleanup(func() { b.Close() })
	for _, k := range []string{"photos/2026/a.jpg", "docs/readme.txt", "keep"} {
		put(t, b, k, k)
	}

	t.Run("typed keys", func(t *testing.T) {
		err := b.RemoveMany(ctx, []string{"photos/", "photos/2026/a.jpg", "a//b", "", "docs/readme.txt"})
		require.ErrorIs(t, err, backend.ErrInvalidKey)
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		require.Len(t, errs, 3, "one error per refused key: %v", err)
		for i, want := range []string{"photos/", "a//b", ""} {
			var be *backend.Error
			require.ErrorAs(t, errs[i], &be)
			assert.Equal(t, "remove", be.Op)
			assert.Equal(t, want, be.Key)
		}
		assert.Equal(t, []string{"keep"}, listKeys(t, b, ""), "the valid keys of the batch are removed")
	})

	t.Run("listed keys", func(t *testing.T) {
		put(t, b, "x/1", "1")
		lctx := backend.WithListedKeys(ctx)
		require.NoError(t, b.RemoveMany(lctx, append(slices.Clone(foreignKeys), "x/1")),
			"the keys of a listing are taken as they are; missing ones are not errors")
		assert.Equal(t, []string{"keep"}, listKeys(t, b, ""))
		assert.ErrorIs(t, b.RemoveMany(lctx, []string{"", "keep"}), backend.ErrInvalidKey, "an empty key is never a listed key")
		assert.Empty(t, listKeys(t, b, ""), "and it does not stop the others")
	})

	t.Run("Remove still refuses them", func(t *testing.T) {
		for _, k := range foreignKeys {
			assert.ErrorIs(t, b.Remove(backend.WithListedKeys(ctx), k), backend.ErrInvalidKey, "Remove(%q)", k)
		}
	})
}

// TestForeignKeysRemoveObjects: Client.RemoveObjects removes keys of
// another tool that a store lists, through its BatchRemover; without one,
// it removes the valid keys and reports each foreign one.
func TestForeignKeysRemoveObjects(t *testing.T) {
	ctx := context.Background()
	valid := []string{"docs/readme.txt", "photos/2026/a.jpg"}

	t.Run("BatchRemover", func(t *testing.T) {
		s := newForeignStore(t, valid)
		c := objstore.New(batchStore{s})
		keys, err := c.ListObjects(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, []string{"/lead", "a//b", "docs/readme.txt", "photos/", "photos/2026/", "photos/2026/a.jpg"}, keys,
			"listed as the store holds them")

		require.NoError(t, c.RemoveObjects(ctx, "photos/"))
		assert.Equal(t, []string{"/lead", "a//b", "docs/readme.txt"}, s.keys(t))
		require.NoError(t, c.RemoveObjects(ctx, ""))
		assert.Empty(t, s.keys(t))
		assert.True(t, s.sawListed, "RemoveObjects marks the keys as listed")

		_, err = c.GetObject(ctx, "photos/")
		assert.ErrorIs(t, err, objstore.ErrInvalidKey, "Get of a key objstore would not write")
		assert.ErrorIs(t, c.RemoveObjects(ctx, "../"), objstore.ErrInvalidKey, "the prefix the caller types is still checked")
	})

	t.Run("no BatchRemover", func(t *testing.T) {
		s := newForeignStore(t, valid)
		c := objstore.New(plainStore{s})
		err := c.RemoveObjects(ctx, "")
		require.ErrorIs(t, err, objstore.ErrInvalidKey)
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		require.Len(t, errs, len(foreignKeys), "one error per foreign key: %v", err)
		for _, e := range errs {
			var be *backend.Error
			require.ErrorAs(t, e, &be)
			assert.Contains(t, foreignKeys, be.Key)
			assert.Contains(t, e.Error(), "another tool", "the error says where the key comes from")
		}
		assert.ElementsMatch(t, foreignKeys, s.keys(t), "every valid key is removed, only the foreign ones are left")
	})
}

// foreignStore is a mem store that also holds keys ValidateKey refuses, as
// a bucket that another tool filled does: List lists them in order, and
// RemoveMany removes them when its keys come from a listing.
type foreignStore struct {
	*mem.Backend
	mu        sync.Mutex
	foreign   map[string]bool
	sawListed bool
}

func newForeignStore(t *testing.T, valid []string) *foreignStore {
	s := &foreignStore{Backend: mem.New(), foreign: map[string]bool{}}
	t.Cleanup(func() { s.Backend.Close() })
	for _, k := range valid {
		put(t, s.Backend, k, k)
	}
	for _, k := range foreignKeys {
		s.foreign[k] = true
	}
	return s
}

// List merges the foreign keys into mem's listing (one page: the tests
// hold a few keys).
func (s *foreignStore) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	page, err := s.Backend.List(ctx, opts)
	if err != nil || opts.Token != "" {
		return page, err
	}
	s.mu.Lock()
	for k := range s.foreign {
		if strings.HasPrefix(k, opts.Prefix) {
			page.Objects = append(page.Objects, backend.ObjectInfo{Key: k})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(page.Objects, func(a, b backend.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	return page, nil
}

func (s *foreignStore) keys(t *testing.T) []string {
	t.Helper()
	page, err := s.List(t.Context(), backend.ListOptions{})
	require.NoError(t, err)
	keys := []string{}
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// batchStore is foreignStore with a BatchRemover that, like the drivers'
// (backend.CheckRemoveKeys), takes the keys of a listing as they are.
type batchStore struct{ *foreignStore }

func (s batchStore) RemoveMany(ctx context.Context, keys []string) error {
	ok, refused := backend.CheckRemoveKeys(ctx, keys)
	s.mu.Lock()
	s.sawListed = s.sawListed || backend.ListedKeys(ctx)
	var rest []string
	for _, k := range ok {
		if s.foreign[k] {
			delete(s.foreign, k)
		} else {
			rest = append(rest, k)
		}
	}
	s.mu.Unlock()
	return errors.Join(append(refused, s.Backend.RemoveMany(ctx, rest))...)
}

// plainStore is foreignStore without a BatchRemover.
type plainStore struct{ *foreignStore }

func (s plainStore) RemoveMany() {} // hides mem's RemoveMany: not a BatchRemover

func listKeys(t *testing.T, b backend.Backend, prefix string) []string {
	t.Helper()
	page, err := b.List(t.Context(), backend.ListOptions{Prefix: prefix})
	require.NoError(t, err)
	keys := []string{}
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}
