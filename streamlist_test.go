package objstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// requestCounter counts the backend calls of a client.
type requestCounter struct {
	backend.Backend
	lists, gets, stats atomic.Int64
}

func (r *requestCounter) List(ctx context.Context, o backend.ListOptions) (backend.ListPage, error) {
	r.lists.Add(1)
	return r.Backend.List(ctx, o)
}

func (r *requestCounter) Get(ctx context.Context, k string, o backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	r.gets.Add(1)
	return r.Backend.Get(ctx, k, o)
}

func (r *requestCounter) Stat(ctx context.Context, k string) (backend.ObjectInfo, error) {
	r.stats.Add(1)
	return r.Backend.Stat(ctx, k)
}

// The requests of a seek by time in a 100,000-chunk stream, as
// docs/streams.md states them: one listing of the chunks (100 pages of
// 1000), no Get, no Stat.
func TestChunkAtRequestsOn100kChunks(t *testing.T) {
	const n = 100_000
	ctx := context.Background()
	b := mem.New()
	defer b.Close()
	for i := range n {
		_, err := b.Put(ctx, fmt.Sprintf("big/big.%d", i), bytes.NewReader([]byte("x")), backend.PutOptions{Size: 1})
		require.NoError(t, err)
	}
	rc := &requestCounter{Backend: b}
	c := objstore.New(rc)
	at, err := c.ChunkAt(ctx, "big", time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, at)
	assert.EqualValues(t, n/backend.DefaultPageSize, rc.lists.Load())
	assert.Zero(t, rc.gets.Load())
	assert.Zero(t, rc.stats.Load())
	t.Logf("ChunkAt on %d chunks: %d List requests, %d Get, %d Stat", n, rc.lists.Load(), rc.gets.Load(), rc.stats.Load())
}
