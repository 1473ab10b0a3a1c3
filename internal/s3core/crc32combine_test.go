package s3core

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCRC32CCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, cuts := range [][]int{{}, {0}, {1}, {5, 5, 100}, {4096, 70000, 1 << 19}, {len(data) - 1}} {
		var c combined
		prev := 0
		for _, cut := range append(cuts, len(data)) {
			part := data[prev:cut]
			c.add(CRC32C(part), int64(len(part)))
			prev = cut
		}
		assert.Equal(t, CRC32C(data), c.sum(), "cuts %v", cuts)
	}
	var c combined
	assert.Equal(t, CRC32C(nil), c.sum(), "no parts")
}
