package fs

import (
	"crypto/md5"
	"encoding/hex"
)

// Hooks and internals for the external tests (package fs_test), compiled
// only into the test binary.

// SetBeforeCommit installs f to run right before a Put renames or links its
// complete temp file over the key; the returned func removes it. Not safe
// to call while Puts run.
func SetBeforeCommit(f func(tmpPath string)) (restore func()) {
	old := beforeCommit
	beforeCommit = f
	return func() { beforeCommit = old }
}

var (
	KeyToPath  = keyToPath
	PathToKey  = pathToKey
	IsTempName = isTempName
)

const (
	TempPrefix     = tempPrefix
	ReservedPrefix = reservedPrefix
	Magic          = magic
	AttrName       = attrName
	MaxNameLen     = maxNameLen
)

// EncodeV1 returns the bytes of an object file in the format of earlier
// versions (objstore/fs v1: a padded header, then the data), as their Put
// wrote it, for the tests that check such stores stay readable.
func EncodeV1(data []byte, contentType string, md map[string]string) []byte {
	n, err := reserveHeader(contentType, md)
	if err != nil {
		panic(err)
	}
	sum := md5.Sum(data)
	hdr, err := encodeHeader(header{Size: int64(len(data)), ETag: hex.EncodeToString(sum[:]), ContentType: contentType, Metadata: md}, n)
	if err != nil {
		panic(err)
	}
	return append(hdr, data...)
}

// StatList reports whether List reads stat data only (layout.go).
func (b *Backend) StatList() bool { return b.statList }
