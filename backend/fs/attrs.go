package fs

import (
	"encoding/binary"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// An object is a plain file holding exactly its bytes. What a file cannot
// say about itself (the content type and the user metadata) is kept in one
// extended attribute, set on the temp file before the rename, so that data
// and attributes change together in one rename(2):
//
//	user.objstore = "objstore/fs v2\n" + content type + "\n" + "key=value\n"...
//
// with the metadata sorted by key. Keys hold only [a-z0-9_-] and neither
// values nor content types hold control characters (backend.NormalizeMetadata
// and NormalizeContentType refuse them), so lines and the first "=" are
// unambiguous and nothing needs escaping: the attribute is at most about
// 2.4 KiB (metadata 2 KiB, content type 256 bytes), within ext4's limit of
// one block for all the attributes of a file. `getfattr -n user.objstore
// FILE` shows it.
//
// The size and the ETag are not stored: the size is the file's, and the
// ETag is derived from the file's identity and modification time (etagOf).
const (
	attrName  = "user.objstore"
	attrMagic = "objstore/fs v2"
	// maxAttrLen bounds the buffer that reads the attribute: more than any
	// attribute Put writes (about 2.4 KiB), and what a foreign attribute
	// of that name may use before it is ignored. It is also firstRead, the
	// first read of a v1 header.
	maxAttrLen = 4 << 10
)

// attrs is what the attribute holds.
type attrs struct {
	contentType string
	metadata    map[string]string
}

// encodeAttrs renders the attribute of an object.
func encodeAttrs(contentType string, md map[string]string) []byte {
	n := len(attrMagic) + len(contentType) + 2
	for k, v := range md {
		n += len(k) + len(v) + 2
	}
	buf := make([]byte, 0, n)
	buf = append(buf, attrMagic...)
	buf = append(buf, '\n')
	buf = append(buf, contentType...)
	buf = append(buf, '\n')
	for _, k := range slices.Sorted(maps.Keys(md)) {
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, md[k]...)
		buf = append(buf, '\n')
	}
	return buf
}

// decodeAttrs parses the attribute; ok is false when it is not one that
// encodeAttrs wrote (another program's attribute of the same name), and
// the file is then read as a plain file.
func decodeAttrs(b []byte) (a attrs, ok bool) {
	s := string(b)
	rest, found := strings.CutPrefix(s, attrMagic+"\n")
	if !found || !strings.HasSuffix(rest, "\n") {
		return attrs{}, false
	}
	lines := strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
	a.contentType = lines[0]
	if a.contentType == "" {
		return attrs{}, false
	}
	if len(lines) > 1 {
		a.metadata = make(map[string]string, len(lines)-1)
		for _, l := range lines[1:] {
			k, v, ok := strings.Cut(l, "=")
			if !ok || k == "" {
				return attrs{}, false
			}
			a.metadata[k] = v
		}
	}
	return a, true
}

// fileStat is what the driver uses of a file's stat data.
type fileStat struct {
	mode  uint32 // type and permission bits, as in st_mode
	size  int64
	mtime int64 // nanoseconds since the epoch
	ino   uint64
	uid   uint32
	gid   uint32
}

const (
	modeType = 0o170000
	modeReg  = 0o100000
	modeDir  = 0o040000
)

func (st fileStat) regular() bool { return st.mode&modeType == modeReg }
func (st fileStat) isDir() bool   { return st.mode&modeType == modeDir }

func (st fileStat) modTime() time.Time { return time.Unix(0, st.mtime).UTC() }

// etagOf derives an object's ETag from its file's stat data: the inode
// number, the size and the modification time in nanoseconds, mixed into
// 128 bits (two rounds of the splitmix64 finaliser; stable across
// processes and versions) and written as 32 hex digits. Every Put writes
// a new file and sets its modification time to a value no other Put of
// this process used (uniqueMtime), so two versions of a key never share
// an ETag, even when the second file reuses the inode of the first; a
// program that rewrites a file in place changes its modification time,
// and with it the ETag. It is not a checksum of the content: two stores
// holding the same bytes have different ETags. docs/fs.md lists the
// limits (a rewrite in place that keeps size and modification time).
func etagOf(st fileStat) string {
	hi := mix64(st.ino ^ mix64(uint64(st.size)^mix64(uint64(st.mtime))))
	lo := mix64(uint64(st.mtime) ^ mix64(st.ino^mix64(uint64(st.size)+0x9e3779b97f4a7c15)))
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return hex.EncodeToString(b[:])
}

// mix64 is the splitmix64 finaliser: a bijection of uint64 in which every
// input bit changes about half of the output bits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// plainInfo is the ObjectInfo of a file read as an object, with the
// attributes a (zero for a file without them: no metadata, the default
// content type).
func plainInfo(key string, st fileStat, a attrs) backend.ObjectInfo {
	ct := a.contentType
	if ct == "" {
		ct = backend.DefaultContentType
	}
	return backend.ObjectInfo{
		Key:          key,
		Size:         st.size,
		LastModified: st.modTime(),
		ETag:         etagOf(st),
		ContentType:  ct,
		Metadata:     a.metadata,
	}
}
