package gcs

import "testing"

// TestChunkFor: a small object of known size gets the smallest buffer
// that holds it and sees its end (one request, little memory); a large
// or unknown one the configured chunk.
func TestChunkFor(t *testing.T) {
	b := &Backend{chunkSize: roundUpChunk(1 << 20)}
	for _, c := range []struct {
		size int64
		want int
	}{
		{-1, 1 << 20},
		{0, 256 << 10},
		{1, 256 << 10},
		{256<<10 - 1, 256 << 10},
		{256 << 10, 512 << 10}, // size+1 bytes must fit, to see EOF in the first chunk
		{1<<20 - 1, 1 << 20},
		{1 << 20, 1 << 20},
		{5 << 30, 1 << 20},
	} {
		if got := b.chunkFor(c.size); got != c.want {
			t.Errorf("chunkFor(%d) = %d, want %d", c.size, got, c.want)
		}
	}
	for in, want := range map[int]int{0: 0, 1: 256 << 10, 256 << 10: 256 << 10, 256<<10 + 1: 512 << 10} {
		if got := roundUpChunk(in); got != want {
			t.Errorf("roundUpChunk(%d) = %d, want %d", in, got, want)
		}
	}
}
