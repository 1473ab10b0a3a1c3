package objstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChunkKeyOneAllocation: a stream writer builds one key per chunk
// with one allocation, part of the client overhead bench/ measures
// (under 2 allocations per Write).
func TestChunkKeyOneAllocation(t *testing.T) {
	k, err := newStreamKeys("put stream", "caps/eth0")
	require.NoError(t, err)
	assert.Equal(t, "caps/eth0/eth0.0", k.chunk(0))
	assert.Equal(t, "caps/eth0/eth0.123456", k.chunk(123456))
	assert.Equal(t, 123456, k.chunkIndex(k.chunk(123456)))
	n := 1000
	allocs := testing.AllocsPerRun(100, func() { chunkKeySink = k.chunk(n); n++ })
	assert.Equal(t, 1.0, allocs)
}

// chunkKeySink keeps the keys of TestChunkKeyOneAllocation on the heap,
// as a Put keeps them.
var chunkKeySink string
