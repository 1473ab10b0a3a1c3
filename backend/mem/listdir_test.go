package mem_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// listCounter counts List calls.
type listCounter struct {
	*mem.Backend
	lists atomic.Int64
}

func (c *listCounter) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	c.lists.Add(1)
	return c.Backend.List(ctx, opts)
}

// TestListDirRequests is the target on mem: a directory listing
// of a prefix holding 100,000 keys under 10 sub-prefixes is one List call
// (one page of 11 entries), where the flat listing takes 101 pages; and
// through the client, one page plus the stream check of the 10 folders.
func TestListDirRequests(t *testing.T) {
	const n = 100_000
	ctx := t.Context()
	b := &listCounter{Backend: mem.New()}
	for i := range n {
		_, err := b.Put(ctx, fmt.Sprintf("big/f%d/%06d", i%10, i), bytes.NewReader(nil), backend.PutOptions{Size: 0})
		require.NoError(t, err)
	}
	_, err := b.Put(ctx, "big/top", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	page, err := b.List(ctx, backend.ListOptions{Prefix: "big/", Delimiter: "/"})
	require.NoError(t, err)
	assert.Empty(t, page.NextToken)
	assert.Len(t, page.Prefixes, 10)
	assert.Len(t, page.Objects, 1)
	assert.Equal(t, int64(1), b.lists.Load())

	c := objstore.New(b)
	b.lists.Store(0)
	var entries int
	for _, err := range c.List(ctx, "big/", objstore.ListOptions{PlainPrefixes: true}) {
		require.NoError(t, err)
		entries++
	}
	assert.Equal(t, 11, entries)
	assert.Equal(t, int64(1), b.lists.Load(), "the client's directory listing: one page")

	b.lists.Store(0)
	flat := 0
	for _, err := range c.Objects(ctx, "big/") {
		require.NoError(t, err)
		flat++
	}
	assert.Equal(t, n+1, flat)
	assert.Equal(t, int64(101), b.lists.Load(), "the flat listing: a page per 1000 keys")
}
