package s3test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// DeleteCounter is an HTTP transport that counts the multi-object delete
// requests (POST ?delete) it sends through Base.
type DeleteCounter struct {
	Base http.RoundTripper
	n    atomic.Int64
}

// RoundTrip counts r if it is a multi-object delete, and sends it.
func (c *DeleteCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Query().Has("delete") {
		c.n.Add(1)
	}
	return c.Base.RoundTrip(r)
}

// Deletes returns how many multi-object delete requests were sent.
func (c *DeleteCounter) Deletes() int { return int(c.n.Load()) }

// CheckRemoveMany removes, through b, a BatchRemover on an empty bucket
// whose requests go through dc, more keys than two DeleteObjects
// requests take (1,000 each), the last 100 of them missing: missing keys
// are not errors, only "keep" is left, in three requests. An invalid key
// is refused on its own, never sent, and does not stop the others; a
// cancelled context is an error; after Close, ErrClosed. The check closes
// b.
func CheckRemoveMany(t *testing.T, b backend.Backend, dc *DeleteCounter) {
	ctx := context.Background()
	r, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok, "a BatchRemover")
	const n = 2345
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("many/%05d", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	const workers = 16
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n-100; i += workers { // the last 100 never exist
				if _, err := b.Put(ctx, keys[i], strings.NewReader("x"), backend.PutOptions{Size: 1}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, err := b.Put(ctx, "keep", strings.NewReader("k"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	before := dc.Deletes()
	require.NoError(t, r.RemoveMany(ctx, slices.Clone(keys)), "missing keys are not errors")
	assert.Equal(t, before+3, dc.Deletes(), "2345 keys take three multi-object delete requests")
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "keep", page.Objects[0].Key)

	// An invalid key is refused on its own, never sent, and does not stop
	// the others (CheckForeignKeys has the keys of a listing).
	before = dc.Deletes()
	assert.ErrorIs(t, r.RemoveMany(ctx, []string{"keep", "a//b"}), backend.ErrInvalidKey)
	assert.Equal(t, before+1, dc.Deletes(), "one request, for the valid key")
	_, err = b.Stat(ctx, "keep")
	assert.ErrorIs(t, err, backend.ErrNotFound, "the valid key is removed")
	assert.ErrorIs(t, r.RemoveMany(ctx, []string{"bad//key"}), backend.ErrInvalidKey)
	assert.Equal(t, before+1, dc.Deletes(), "no request without a valid key")
	require.NoError(t, r.RemoveMany(ctx, nil))
	assert.Equal(t, before+1, dc.Deletes(), "no request for no key")

	// A cancelled context stops it.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = r.RemoveMany(cctx, []string{"keep", "other"})
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, b.Close())
	assert.ErrorIs(t, r.RemoveMany(ctx, []string{"keep"}), backend.ErrClosed)
}
