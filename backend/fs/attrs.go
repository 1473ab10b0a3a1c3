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
// say about itself (the content type, the user metadata, the HTTP
// attributes and the checksum of the bytes) is kept in one extended
// attribute, set on the temp file before the rename, so that data and
// attributes change together in one rename(2). Put writes the record v3:
//
//	user.objstore = "objstore/fs v3\n"
//	                content type "\n"
//	                checksum "\n"            ("crc32c:" and the base64 of the CRC-32C, big-endian; empty: none)
//	                "name: value\n"...       (the HTTP attributes that are set, in a fixed order)
//	                "\n"
//	                "key=value\n"...         (the metadata, sorted by key)
//
// The fields that every record has come first, without names, so that
// the record of an object with the default content type and no metadata
// is 57 bytes: ext4 keeps up to 64 bytes of attributes inside an inode of
// the default 256 bytes, and a longer record costs every such object a
// block of its own (4 KiB, and one more write per put). The names of the
// HTTP attributes are their header names in lower case ("cache-control",
// httpFieldNames), which hold no ':', so the first ": " ends the name and
// the value is the rest of the line, as given. Neither values nor content
// types hold control characters (backend.CheckHTTPAttributes,
// NormalizeContentType and NormalizeMetadata refuse them), and metadata
// keys hold only [a-z0-9_-], so the lines, the empty line after the
// fields and the first "=" of a metadata line are unambiguous and nothing
// needs escaping. Named fields this version does not know, and checksums
// of algorithms it does not know, are ignored (a later version may add
// them; one that changes the meaning of a line changes the magic line).
// `getfattr -n user.objstore FILE` shows the record.
//
// The record v2, written by the previous version and still read, is the
// magic line "objstore/fs v2", the content type, and the metadata lines:
// an object with such a record has no HTTP attributes and no checksum.
//
// The size and the ETag are not stored: the size is the file's, and the
// ETag is derived from the file's identity and modification time (etagOf).
const (
	attrName    = "user.objstore"
	attrMagic   = "objstore/fs v3"
	attrMagicV2 = "objstore/fs v2"
	// maxAttrLen bounds the buffer that reads the attribute: more than any
	// record Put writes (at most about 7.2 KiB: a content type and four
	// HTTP attributes of backend.MaxHeaderValue bytes each, 2 KiB of
	// metadata, the names and the checksum), and what a foreign attribute
	// of that name may use before it is ignored. It is at least firstRead,
	// the first read of a v1 header, which uses the same buffers.
	maxAttrLen = 8 << 10
)

// attrs is what the attribute holds.
type attrs struct {
	contentType string
	metadata    map[string]string
	http        backend.HTTPAttributes
	checksum    backend.Checksum // zero: none (a record v2, or a file without the attribute)
}

// httpFieldNames are the names of the HTTP attributes in the record, in
// the order of httpValues and of the record.
var httpFieldNames = [4]string{"cache-control", "content-disposition", "content-encoding", "content-language"}

// httpValues points at the HTTP attributes of a, in the order of
// httpFieldNames.
func httpValues(a *backend.HTTPAttributes) [4]*string {
	return [4]*string{&a.CacheControl, &a.ContentDisposition, &a.ContentEncoding, &a.ContentLanguage}
}

// encodeAttrs renders the attribute of an object as a record v3.
func encodeAttrs(a attrs) []byte {
	sum := a.checksum.String()
	n := len(attrMagic) + len(a.contentType) + len(sum) + 4
	for i, v := range httpValues(&a.http) {
		n += len(httpFieldNames[i]) + len(*v) + 3
	}
	for k, v := range a.metadata {
		n += len(k) + len(v) + 2
	}
	buf := make([]byte, 0, n)
	for _, line := range []string{attrMagic, a.contentType, sum} {
		buf = append(buf, line...)
		buf = append(buf, '\n')
	}
	for i, v := range httpValues(&a.http) {
		if *v != "" {
			buf = append(buf, httpFieldNames[i]...)
			buf = append(buf, ": "...)
			buf = append(buf, *v...)
			buf = append(buf, '\n')
		}
	}
	buf = append(buf, '\n')
	for _, k := range slices.Sorted(maps.Keys(a.metadata)) {
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, a.metadata[k]...)
		buf = append(buf, '\n')
	}
	return buf
}

// decodeAttrs parses the attribute, a record v3 or v2; ok is false when
// it is neither as encodeAttrs (or the previous version) wrote it
// (another program's attribute of the same name), and the file is then
// read as a plain file.
func decodeAttrs(b []byte) (a attrs, ok bool) {
	s := string(b)
	if rest, found := strings.CutPrefix(s, attrMagic+"\n"); found {
		return decodeV3(rest)
	}
	rest, found := strings.CutPrefix(s, attrMagicV2+"\n")
	if !found || !strings.HasSuffix(rest, "\n") {
		return attrs{}, false
	}
	lines := strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
	a.contentType = lines[0]
	if a.contentType == "" {
		return attrs{}, false
	}
	if a.metadata, ok = decodeMetadata(lines[1:]); !ok {
		return attrs{}, false
	}
	return a, true
}

// decodeV3 parses a record v3 after its magic line.
func decodeV3(rest string) (a attrs, ok bool) {
	ct, rest, _ := strings.Cut(rest, "\n")
	sum, rest, found := strings.Cut(rest, "\n")
	if !found || ct == "" {
		return attrs{}, false
	}
	a.contentType = ct
	if alg, digest, _ := strings.Cut(sum, ":"); sum != "" && backend.NewHash(backend.ChecksumAlgorithm(alg)) != nil {
		// An algorithm this version does not know is left out.
		c, err := backend.ParseChecksum(backend.ChecksumAlgorithm(alg), digest)
		if err != nil || c.IsZero() {
			return attrs{}, false
		}
		a.checksum = c
	}
	fields, md, found := strings.Cut("\n"+rest, "\n\n")
	if !found || md != "" && !strings.HasSuffix(md, "\n") {
		return attrs{}, false
	}
	var seen [len(httpFieldNames)]bool
	http := httpValues(&a.http)
	for l := range strings.SplitSeq(strings.TrimPrefix(fields, "\n"), "\n") {
		if l == "" {
			continue // no named fields
		}
		name, v, found := strings.Cut(l, ": ")
		if !found || name == "" {
			return attrs{}, false
		}
		if i := slices.Index(httpFieldNames[:], name); i >= 0 {
			if seen[i] {
				return attrs{}, false
			}
			seen[i] = true
			*http[i] = v
		}
	}
	if md == "" {
		return a, true
	}
	if a.metadata, ok = decodeMetadata(strings.Split(strings.TrimSuffix(md, "\n"), "\n")); !ok {
		return attrs{}, false
	}
	return a, true
}

// decodeMetadata parses metadata lines "key=value"; no lines is nil.
func decodeMetadata(lines []string) (map[string]string, bool) {
	if len(lines) == 0 {
		return nil, true
	}
	md := make(map[string]string, len(lines))
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return nil, false
		}
		md[k] = v
	}
	return md, true
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
// attributes a (zero for a file without them: no metadata, no HTTP
// attributes, no checksum, the default content type).
func plainInfo(key string, st fileStat, a attrs) backend.ObjectInfo {
	ct := a.contentType
	if ct == "" {
		ct = backend.DefaultContentType
	}
	return backend.ObjectInfo{
		Key:            key,
		Size:           st.size,
		LastModified:   st.modTime(),
		ETag:           etagOf(st),
		ContentType:    ct,
		Metadata:       a.metadata,
		HTTPAttributes: a.http,
		Checksum:       a.checksum,
	}
}
