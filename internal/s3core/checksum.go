package s3core

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// Checksums (x-amz-checksum-*): how the drivers that speak S3 give every
// object they put a CRC32C of its whole content, which the server checks
// against the bytes it receives and keeps with the object.
//
//   - A single PUT carries the CRC32C of its body in x-amz-checksum-crc32c
//     (a streamed one as a trailer of that name).
//   - A multipart upload is created with x-amz-checksum-algorithm CRC32C
//     and x-amz-checksum-type FULL_OBJECT. Every part carries the CRC32C
//     of its bytes, the completion lists them and carries the CRC32C of
//     the whole object (computed as the parts pass), and the server checks
//     it against the combination of the parts' CRCs before it publishes
//     the object.
//   - HEAD and GET with x-amz-checksum-mode: ENABLED answer with the
//     stored value and its type. A ranged GET answers without (AWS, MinIO),
//     and the drivers report no checksum for one even if a server sent
//     one: whose bytes it would describe is not defined.
//
// A COMPOSITE checksum, a checksum of the parts' checksums (value
// "BASE64-N"), is what a multipart upload gets without FULL_OBJECT
// (uploads by other tools; uploads of part copies, which is how the drivers
// copy objects past 5 GiB, make create-only copies and compose). It cannot
// verify a read of the object and is reported as none, as is a checksum by
// an algorithm other than CRC32C (CRC64NVME, the default of AWS and
// versitygw for objects put without one). None means that reads of the
// object are not verified; it is never an error.

// Header names and values of S3's checksums, in the canonical form of
// net/http.
const (
	HeaderCRC32C    = "X-Amz-Checksum-Crc32c"
	HeaderType      = "X-Amz-Checksum-Type"
	HeaderAlgorithm = "X-Amz-Checksum-Algorithm"
	HeaderMode      = "X-Amz-Checksum-Mode"

	AlgorithmCRC32C = "CRC32C"      // x-amz-checksum-algorithm
	TypeFullObject  = "FULL_OBJECT" // x-amz-checksum-type
	TypeComposite   = "COMPOSITE"   // x-amz-checksum-type
	ModeEnabled     = "ENABLED"     // x-amz-checksum-mode
)

// CRC32C returns the checksum of data.
func CRC32C(data []byte) backend.Checksum { return backend.ChecksumOf(backend.CRC32C, data) }

// EncodeChecksum returns the header value of c: its digest in base64.
func EncodeChecksum(c backend.Checksum) string {
	return base64.StdEncoding.EncodeToString(c.Value)
}

// Checksum returns the checksum of the whole object that a server reports
// with the values of x-amz-checksum-crc32c and x-amz-checksum-type (in the
// answers of HEAD, GET, PUT, CopyObject and CompleteMultipartUpload). It is
// the zero Checksum when there is none, when it is composite (type
// COMPOSITE, or a value with a "-N" part count), when the type is one this
// package does not know, and when the value is not a CRC32C (a server's
// bug, reported as no checksum rather than as an error, so that the object
// stays readable, unverified). An absent type is a full-object checksum,
// as servers that predate the header send it for single PUTs.
func Checksum(crc32c, typ string) backend.Checksum {
	if crc32c == "" || strings.Contains(crc32c, "-") ||
		(typ != "" && !strings.EqualFold(typ, TypeFullObject)) {
		return backend.Checksum{}
	}
	c, err := backend.ParseChecksum(backend.CRC32C, crc32c)
	if err != nil {
		return backend.Checksum{}
	}
	return c
}

// ChecksumFromHeader is Checksum of the headers of an answer.
func ChecksumFromHeader(h http.Header) backend.Checksum {
	return Checksum(h.Get(HeaderCRC32C), h.Get(HeaderType))
}
