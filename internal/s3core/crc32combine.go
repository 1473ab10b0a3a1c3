package s3core

import (
	"encoding/binary"

	"github.com/objstore-dev/objstore/backend"
)

// The CRC32C of an object sent in parallel parts is combined from the
// parts' CRC32Cs (the parts are hashed out of order, each by the goroutine
// that sends it), as zlib's crc32_combine does: the CRC of a ‖ b is the
// CRC of a shifted by len(b) zero bytes, xor the CRC of b. The shift is a
// multiplication by x^(8·len(b)) modulo the polynomial.

const castagnoliReversed = 0x82f63b78

// multModP returns a·b modulo the Castagnoli polynomial (bit-reversed
// representation, x^0 in the top bit).
func multModP(a, b uint32) uint32 {
	m, p := uint32(1)<<31, uint32(0)
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ castagnoliReversed
		} else {
			b >>= 1
		}
	}
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = multModP(p, p)
	}
	return t
}()

// x8nModP returns x^(8n) modulo the polynomial: the shift by n bytes.
func x8nModP(n int64) uint32 {
	p, k := uint32(1)<<31, 3 // x^0; 8 = 2^3
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		k++
	}
	return p
}

// crc32cCombine returns the CRC32C of a ‖ b from crcA, the CRC32C of a,
// and crcB, the CRC32C of b, which is lenB bytes long.
func crc32cCombine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(x8nModP(lenB), crcA) ^ crcB
}

// combined accumulates the CRC32C of consecutive parts.
type combined struct{ crc uint32 }

// add appends a part of n bytes whose CRC32C is c.
func (s *combined) add(c backend.Checksum, n int64) {
	s.crc = crc32cCombine(s.crc, binary.BigEndian.Uint32(c.Value), n)
}

func (s *combined) sum() backend.Checksum {
	return backend.Checksum{Algorithm: backend.CRC32C, Value: binary.BigEndian.AppendUint32(nil, s.crc)}
}
