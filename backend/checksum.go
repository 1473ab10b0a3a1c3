package backend

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// ChecksumAlgorithm names the digest of a Checksum.
type ChecksumAlgorithm string

const (
	// CRC32C (Castagnoli), big-endian, as S3's x-amz-checksum-crc32c and
	// GCS's crc32c carry it. mem, fs, GCS, MinIO and S3 store it.
	CRC32C ChecksumAlgorithm = "crc32c"
	// MD5, as Azure's Content-MD5 property carries it.
	MD5 ChecksumAlgorithm = "md5"
)

// Checksum is the digest of an object's whole content that the store keeps
// with it. Stat and Get return it in ObjectInfo.Checksum (listings may
// not); the zero Checksum means the store has none for that object (an
// object written by another tool, or a composed one whose store keeps only
// a checksum of its parts). The client verifies every full read against
// it (VerifyReader): a mismatch is ErrCorrupt instead of io.EOF.
type Checksum struct {
	Algorithm ChecksumAlgorithm
	Value     []byte // the raw digest: 4 bytes for CRC32C, 16 for MD5
}

// IsZero reports whether c holds no checksum.
func (c Checksum) IsZero() bool { return c.Algorithm == "" || len(c.Value) == 0 }

// String is "crc32c:" or "md5:" and the digest in base64, as HTTP headers
// carry it; "" for the zero Checksum.
func (c Checksum) String() string {
	if c.IsZero() {
		return ""
	}
	return string(c.Algorithm) + ":" + base64.StdEncoding.EncodeToString(c.Value)
}

// Equal reports whether c and o are the same digest by the same algorithm.
func (c Checksum) Equal(o Checksum) bool {
	return c.Algorithm == o.Algorithm && bytes.Equal(c.Value, o.Value)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// NewHash returns a hash that computes alg's digest (Sum gives Value), or
// nil for an unknown algorithm.
func NewHash(alg ChecksumAlgorithm) hash.Hash {
	switch alg {
	case CRC32C:
		return crc32.New(castagnoli)
	case MD5:
		return md5.New()
	}
	return nil
}

// ChecksumOf returns the checksum of data by alg.
func ChecksumOf(alg ChecksumAlgorithm, data []byte) Checksum {
	h := NewHash(alg)
	if h == nil {
		return Checksum{}
	}
	h.Write(data)
	return Checksum{Algorithm: alg, Value: h.Sum(nil)}
}

// ParseChecksum decodes a base64 digest as headers carry it (S3's
// x-amz-checksum-crc32c, GCS's crc32c, Content-MD5); "" gives the zero
// Checksum, a digest of the wrong length is an error.
func ParseChecksum(alg ChecksumAlgorithm, b64 string) (Checksum, error) {
	if b64 == "" {
		return Checksum{}, nil
	}
	v, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return Checksum{}, fmt.Errorf("checksum %s %q is not base64: %w", alg, b64, err)
	}
	if h := NewHash(alg); h == nil || len(v) != h.Size() {
		return Checksum{}, fmt.Errorf("checksum %s %q: want a digest of that algorithm", alg, b64)
	}
	return Checksum{Algorithm: alg, Value: v}, nil
}

// ChecksumVerified marks a body whose bytes cannot differ from the ones
// the store digested, so that VerifyReader has nothing to check: the mem
// driver's bodies read, in place, the very bytes it checksummed at put,
// which nothing modifies afterwards. A body read from a disk or a network
// must not have the mark. A wrapper that may change the bytes returns a
// reader of its own type, which has no mark, so its reads are verified.
type ChecksumVerified interface {
	ChecksumVerified()
}

// VerifyReader returns rc, reading the whole object op/key, checked
// against want: when rc ends (io.EOF) its digest must equal want, else
// Read returns an error wrapping ErrCorrupt instead of io.EOF. A zero or
// unknown want, or a body marked ChecksumVerified, returns rc unchanged.
// Only a reader of the whole object from its first byte can be verified.
// For CRC32C it costs one allocation.
func VerifyReader(op, key string, rc io.ReadCloser, want Checksum) io.ReadCloser {
	if _, verified := rc.(ChecksumVerified); verified || want.IsZero() {
		return rc
	}
	v := &verifyingReader{rc: rc, want: want, op: op, key: key}
	if want.Algorithm != CRC32C {
		if v.h = NewHash(want.Algorithm); v.h == nil {
			return rc
		}
	}
	return v
}

// verifyingReader digests what it reads: CRC32C in crc (no hash object to
// allocate), any other algorithm in h.
type verifyingReader struct {
	rc      io.ReadCloser
	crc     uint32
	h       hash.Hash // nil for CRC32C
	want    Checksum
	op, key string
	err     error // sticky: the verdict once the body ended
}

func (v *verifyingReader) Write(p []byte) (int, error) {
	if v.h != nil {
		return v.h.Write(p)
	}
	v.crc = crc32.Update(v.crc, castagnoli, p)
	return len(p), nil
}

// verdict is nil when the bytes read have the checksum wanted.
func (v *verifyingReader) verdict() error {
	got := Checksum{Algorithm: v.want.Algorithm}
	if v.h != nil {
		got.Value = v.h.Sum(nil)
	} else {
		got.Value = binary.BigEndian.AppendUint32(nil, v.crc)
	}
	if got.Equal(v.want) {
		return nil
	}
	return NewError(v.op, v.key, ErrCorrupt, fmt.Errorf("read %s, but the store keeps %s with the object", got, v.want))
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.rc.Read(p)
	v.Write(p[:n])
	if err == io.EOF {
		if verr := v.verdict(); verr != nil {
			err = verr
		}
		v.err = err
	}
	return n, err
}

// WriteTo lets io.Copy use the body's own WriteTo (mem hands its bytes
// over in one Write) while the digest is computed on the way.
func (v *verifyingReader) WriteTo(w io.Writer) (int64, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := io.Copy(io.MultiWriter(w, v), v.rc)
	if err == nil {
		err = v.verdict()
	}
	if err != nil {
		v.err = err
		return n, err
	}
	v.err = io.EOF
	return n, nil
}

func (v *verifyingReader) Close() error { return v.rc.Close() }
