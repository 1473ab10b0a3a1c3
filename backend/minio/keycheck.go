package minio

import "github.com/objstore-dev/objstore/backend"

// maxSegmentLen is the longest key segment MinIO stores: each segment is a
// file or directory name on its drives.
const maxSegmentLen = 255

// CheckKey refuses, without I/O, keys MinIO cannot hold: what ValidateKey
// refuses, and a segment longer than 255 bytes (backend.KeyChecker).
func (d *Driver) CheckKey(op, key string) error { return checkKey(op, key) }

func checkKey(op, key string) error { return backend.CheckSegmentLen(op, key, maxSegmentLen) }
