package fs

import (
	"encoding/binary"
	"hash/crc32"
	"os"

	"github.com/objstore-dev/objstore/backend"
)

// Every object Put writes keeps the CRC-32C (Castagnoli) of its bytes in
// its record (attrs.go), computed while the bytes stream into the temp
// file and set on it with the rest of the record before the rename, so
// that bytes and checksum are published together. The client checks
// every full read against it (backend.VerifyReader). CRC-32C because the
// CPU computes it (SSE 4.2 on amd64, the CRC32 instructions on arm64:
// hash/crc32 uses them for this table), at well over ten times the speed
// of a durable write; and because S3 and GCS keep the same digest, so
// that the checksums of a copy between stores can be compared.

// castagnoli is the CRC-32C table; crc32.Update with it uses the CPU's
// instructions where there are some.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32cChecksum is the backend.Checksum of the CRC-32C value crc.
func crc32cChecksum(crc uint32) backend.Checksum {
	return backend.Checksum{Algorithm: backend.CRC32C, Value: binary.BigEndian.AppendUint32(nil, crc)}
}

// crc32cOf returns the CRC-32C value that c holds; ok is false when c is
// not a CRC-32C.
func crc32cOf(c backend.Checksum) (crc uint32, ok bool) {
	if c.Algorithm != backend.CRC32C || len(c.Value) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(c.Value), true
}

// crc32cCombine returns the CRC-32C of the bytes A followed by the bytes
// B, from crcA (of A), crcB (of B) and lenB = len(B), without the bytes:
// appending lenB bytes to A multiplies its remainder by x^(8 lenB) modulo
// the polynomial, and the pre- and post-conditioning of the CRC cancel
// out (zlib's crc32_combine, with the Castagnoli polynomial). It costs
// about 30 multiplications modulo the polynomial, whatever the lengths.
// Compose uses it to checksum a concatenation that copy_file_range made
// without the bytes passing through the process.
func crc32cCombine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	return multModP(x2nModP(uint64(lenB), 3), crcA) ^ crcB
}

// crc32cPoly is the Castagnoli polynomial, bit-reversed as the table
// computes with it.
const crc32cPoly = 0x82f63b78

// multModP multiplies a and b modulo the polynomial (bit-reversed
// representation: the top bit is x^0).
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32cPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable holds x^(2^k) modulo the polynomial, for every k that
// x2nModP needs: 3 (8 bits a byte) plus the 64 bits of a length. (zlib's
// table has 32 entries and wraps k, which holds for its polynomial, in
// which x has an order that divides 2^32-1; it does not hold for
// Castagnoli's.)
var x2nTable = func() (t [3 + 64]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// x2nModP returns x^(n 2^k) modulo the polynomial, for k <= 3.
func x2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k], p)
		}
		k++
	}
	return p
}

// crcChunk is the most bytes a hashing write gives write(2) at once,
// below parallelCRC: the CRC of a piece is computed right after its
// write, while the piece is still in the CPU's cache, instead of reading
// a large buffer from memory a second time (about 5 GB/s from memory,
// over 20 GB/s from the cache, on the machine of docs/benchmarks.md).
const crcChunk = 256 << 10

// parallelCRC is the size from which a write is hashed on another
// goroutine while write(2) runs, in pieces of crcPiece that trail the
// writes (each still in the shared L3 cache when it is hashed): where a
// core is idle, the CRC then costs a large put no time at all (a put of
// 64 MiB to tmpfs: 38 ms hashed inline, 33 ms in parallel, 33 ms without
// a checksum). Where every core is busy it costs more than hashing inline
// (42 ms against 38 ms), since the other goroutine must wait for a core
// and reads the pieces from the L3 cache rather than the L2; large puts
// are rare enough, and machines with an idle core common enough, to
// prefer it. Smaller writes are hashed inline: handing pieces over would
// cost more than the hashing.
const (
	parallelCRC = 8 << 20
	crcPiece    = 4 << 20
)

// crcFile writes to the temp file f and keeps the CRC-32C of every byte
// written. It has no ReadFrom, so io.CopyBuffer uses its pooled buffer.
type crcFile struct {
	f   *os.File
	crc uint32
}

func (w *crcFile) Write(p []byte) (int, error) {
	if len(p) >= parallelCRC {
		return w.writeParallel(p)
	}
	total := 0
	for len(p) > 0 {
		piece := p[:min(len(p), crcChunk)]
		n, err := w.f.Write(piece)
		w.crc = crc32.Update(w.crc, castagnoli, piece[:n])
		total += n
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

// writeParallel writes p in pieces of crcPiece, each handed, once
// written, to a goroutine that hashes the pieces in order. The channel
// holds every piece, so the writes never wait for the hashing; the
// goroutine has ended, and p is no longer read, when writeParallel
// returns.
func (w *crcFile) writeParallel(p []byte) (int, error) {
	pieces := make(chan []byte, len(p)/crcPiece+1)
	sum := make(chan uint32)
	go func(crc uint32) {
		for piece := range pieces {
			crc = crc32.Update(crc, castagnoli, piece)
		}
		sum <- crc
	}(w.crc)
	total := 0
	var err error
	for len(p) > 0 {
		piece := p[:min(len(p), crcPiece)]
		var n int
		n, err = w.f.Write(piece)
		pieces <- piece[:n]
		total += n
		if err != nil {
			break
		}
		p = p[n:]
	}
	close(pieces)
	w.crc = <-sum
	return total, err
}
