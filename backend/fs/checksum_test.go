package fs

import (
	"bytes"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCRC32CCombine: the combined CRC-32C of two parts is the CRC-32C of
// their concatenation, for every split of a buffer (empty parts
// included), and for a part longer than 4 GiB (whose CRC is known from
// the CRC of zeros, computed piecewise).
func TestCRC32CCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, cut := range []int{0, 1, 2, 3, 4, 7, 8, 100, 255, 256, 1024, 2999, 3000} {
		a, b := data[:cut], data[cut:]
		got := crc32cCombine(crc32.Checksum(a, castagnoli), crc32.Checksum(b, castagnoli), int64(len(b)))
		assert.Equal(t, crc32.Checksum(data, castagnoli), got, "cut at %d", cut)
	}
	// Many parts, folded left as Compose folds its sources.
	var crc uint32
	for off := 0; off < len(data); {
		n := min(rng.IntN(200), len(data)-off)
		part := data[off : off+n]
		crc = crc32cCombine(crc, crc32.Checksum(part, castagnoli), int64(n))
		off += n
	}
	assert.Equal(t, crc32.Checksum(data, castagnoli), crc)

	// 5 GiB of zeros after "x": combining must match updating piecewise.
	const big = 5 << 30
	zeros := make([]byte, 1<<20)
	var zcrc uint32
	for range big / len(zeros) {
		zcrc = crc32.Update(zcrc, castagnoli, zeros)
	}
	want := crc32.Update(crc32.Checksum([]byte("x"), castagnoli), castagnoli, zeros)
	for range big/len(zeros) - 1 {
		want = crc32.Update(want, castagnoli, zeros)
	}
	assert.Equal(t, want, crc32cCombine(crc32.Checksum([]byte("x"), castagnoli), zcrc, big))
}

// TestCRCFile: a hashing write, inline (in pieces of crcChunk) and in
// parallel (from parallelCRC), writes every byte, in order, and hashes
// exactly the bytes written; a write that fails stops, with the CRC of
// what was written, and leaves no goroutine (TestMain's goleak check).
func TestCRCFile(t *testing.T) {
	for _, size := range []int{0, 10, 3*crcChunk + 5, parallelCRC, parallelCRC + 3*crcPiece + 7} {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		require.NoError(t, err)
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*7 + i>>12)
		}
		w := &crcFile{f: f}
		cut := min(size, 10)
		n, err := w.Write(data[:cut])
		require.NoError(t, err)
		require.Equal(t, cut, n)
		n, err = w.Write(data[cut:])
		require.NoError(t, err)
		require.Equal(t, size-cut, n)
		require.NoError(t, f.Close())
		got, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, got), "size %d: the file differs", size)
		assert.Equal(t, crc32.Checksum(data, castagnoli), w.crc, "size %d", size)

		// A file that refuses the write: nothing written, nothing hashed.
		ro, err := os.Open(f.Name())
		require.NoError(t, err)
		w = &crcFile{f: ro, crc: 42}
		n, err = w.Write(data)
		ro.Close()
		if size > 0 {
			require.Error(t, err, "size %d", size)
		}
		assert.Equal(t, 0, n)
		assert.Equal(t, uint32(42), w.crc)
	}
}
