package fs

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// The driver owns every file name that starts with reservedPrefix: temp
// files are named tempPrefix+random. Valid keys may contain segments with
// that prefix too (".objstore-tmp-1" is a legal key), so such segments are
// escaped by inserting "k-" after the reserved prefix:
//
//	".objstore-x"  <->  ".objstore-k-x"
//
// Every other segment is its own file name. The mapping is a bijection
// between key segments and the names that do not start with reservedPrefix
// or that start with escapedPrefix, so no key ever maps to a temp file and
// every file name decodes to at most one key segment.
const (
	reservedPrefix = ".objstore-"
	escapedPrefix  = reservedPrefix + "k-"
	tempPrefix     = reservedPrefix + "tmp-"
)

// maxNameLen is the longest file name, in bytes, that Linux file systems
// (ext4, xfs, btrfs, tmpfs) and macOS accept: NAME_MAX.
const maxNameLen = 255

// escapeSegment maps one key segment to its file name.
func escapeSegment(seg string) string {
	if strings.HasPrefix(seg, reservedPrefix) {
		return escapedPrefix + seg[len(reservedPrefix):]
	}
	return seg
}

// unescapeSegment maps a file name back to its key segment; ok is false
// for the driver's own files (temp files) and for names that cannot be a
// key segment (invalid UTF-8, control characters).
func unescapeSegment(name string) (seg string, ok bool) {
	switch {
	case strings.HasPrefix(name, escapedPrefix):
		seg = reservedPrefix + name[len(escapedPrefix):]
	case strings.HasPrefix(name, reservedPrefix):
		return "", false
	default:
		seg = name
	}
	if seg == "" || seg == "." || seg == ".." || strings.Contains(seg, "/") {
		return "", false
	}
	// A segment followed by "/x" is a valid key exactly when the segment
	// itself passes the text rules; ValidateKey checks them all at once.
	if backend.ValidateKey("list", seg) != nil {
		return "", false
	}
	return seg, true
}

// keyToPath maps a key to its file path relative to the root, with '/'
// separators (os.Root accepts them on every platform). It validates the key
// again (callers already did) so that no caller can hand os.Root a path
// built from an unchecked key, and it rejects keys the file system cannot
// hold: a segment whose file name exceeds maxNameLen bytes.
func keyToPath(op, key string) (string, error) {
	if err := backend.ValidateKey(op, key); err != nil {
		return "", err
	}
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		name := escapeSegment(seg)
		if len(name) > maxNameLen {
			return "", backend.NewError(op, key, backend.ErrInvalidKey,
				fmt.Errorf("segment %d is %d bytes as a file name; the fs driver stores each segment as a file name of at most %d bytes",
					i+1, len(name), maxNameLen))
		}
		segs[i] = name
	}
	p := strings.Join(segs, "/")
	// Defence in depth: ValidateKey already excludes every way a key could
	// climb out ("..", leading '/', empty segments).
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return "", backend.NewError(op, key, backend.ErrInvalidKey, errors.New("key does not map to a local path"))
	}
	return p, nil
}

// pathToKey is the inverse of keyToPath; ok is false when the path is not
// one keyToPath can produce.
func pathToKey(p string) (key string, ok bool) {
	segs := strings.Split(p, "/")
	for i, name := range segs {
		if len(name) > maxNameLen {
			return "", false
		}
		seg, ok := unescapeSegment(name)
		if !ok {
			return "", false
		}
		segs[i] = seg
	}
	key = strings.Join(segs, "/")
	if backend.ValidateKey("list", key) != nil {
		return "", false
	}
	return key, true
}

// parentDir is the directory of a relative path, "." for the root.
func parentDir(p string) string {
	return path.Dir(p)
}

// joinPath joins a directory (possibly ".") and a name.
func joinPath(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}
