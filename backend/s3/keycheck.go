package s3

import "github.com/objstore-dev/objstore/backend"

// maxSegmentLen is the longest key segment that S3-compatible servers
// which keep objects as files (MinIO, versitygw's posix backend, Ceph's
// file-backed gateways) store. AWS S3 has no such limit.
const maxSegmentLen = 255

// CheckKey refuses, without I/O, keys the server cannot hold
// (backend.KeyChecker): what ValidateKey refuses and, on a server other
// than AWS (an endpoint is set), a segment longer than 255 bytes.
func (d *Driver) CheckKey(op, key string) error {
	if d.endpoint == "" {
		return backend.ValidateKey(op, key)
	}
	return backend.CheckSegmentLen(op, key, maxSegmentLen)
}
