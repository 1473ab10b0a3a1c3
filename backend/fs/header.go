package fs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// The format of object files before plain files (objstore/fs v1), still
// read: a file without the object attribute that starts with a valid v1
// header is read as before, its header stripped (docs/fs.md, "Stores
// written by earlier versions"). Put no longer writes it; reserveHeader
// and encodeHeader remain for the tests that make such files.
//
//	objstore/fs v1\n
//	{"size":N,"etag":"<md5 hex>","content_type":"...","metadata":{...}}<spaces>\n
//	<the object's bytes, unchanged>
//
// The JSON line is padded with spaces to a length fixed before the data is
// written (the widest possible size and a full-length ETag), so that Put can
// stream the data first and write the header in place afterwards, in one
// pass, without knowing the size or the checksum up front.
const magic = "objstore/fs v1\n"

// maxHeaderLen bounds the header (magic and JSON line). Metadata is at most
// backend.MaxMetadataSize bytes and content types 256 bytes; JSON escaping
// can at most triple them (a 3-byte U+2028 becomes 6 bytes, '<' becomes
// \u003c), so 16 KiB leaves room.
const maxHeaderLen = 16 << 10

// firstRead is how much of a v1 file is read first; nearly every header
// fits.
const firstRead = 4 << 10

// header is the JSON line.
type header struct {
	Size        int64             `json:"size"`
	ETag        string            `json:"etag"`
	ContentType string            `json:"content_type"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// etagLen is the length of an ETag: an MD5 sum in hex, as S3 and MinIO
// report for single-part objects.
const etagLen = 32

// reserveHeader returns the number of bytes the header of an object with
// this content type and metadata occupies, data offset included.
func reserveHeader(contentType string, md map[string]string) (int64, error) {
	widest := header{Size: math.MaxInt64, ETag: strings.Repeat("0", etagLen), ContentType: contentType, Metadata: md}
	line, err := json.Marshal(widest)
	if err != nil {
		return 0, err
	}
	n := int64(len(magic) + len(line) + 1)
	if n > maxHeaderLen {
		return 0, fmt.Errorf("object header would be %d bytes, more than the limit of %d", n, maxHeaderLen)
	}
	return n, nil
}

// encodeHeader renders h into exactly n bytes (the result of reserveHeader).
func encodeHeader(h header, n int64) ([]byte, error) {
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	pad := int(n) - len(magic) - len(line) - 1
	if pad < 0 {
		return nil, fmt.Errorf("object header is %d bytes longer than reserved", -pad)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, magic...)
	buf = append(buf, line...)
	buf = append(buf, bytes.Repeat([]byte{' '}, pad)...)
	buf = append(buf, '\n')
	return buf, nil
}

// errNotObject marks what is not an object: a directory, a symbolic link
// loop, a pipe, socket or device at the key; and, inside readHeader, a
// file whose v1 header does not hold (such a file is then read as a plain
// file).
var errNotObject = errors.New("file is not a complete objstore object")

// readHeader reads and checks the header of an open object file of the
// given total length. It returns the header and the offset of the data.
// buf is scratch space of at least firstRead bytes (List reuses one).
func readHeader(f io.ReaderAt, fileSize int64, buf []byte) (header, int64, error) {
	var h header
	if len(buf) < firstRead {
		buf = make([]byte, firstRead)
	}
	n, err := f.ReadAt(buf[:firstRead], 0)
	if err != nil && err != io.EOF {
		return h, 0, err
	}
	data := buf[:n]
	if !bytes.HasPrefix(data, []byte(magic)) {
		return h, 0, fmt.Errorf("%w: no %q line", errNotObject, strings.TrimSpace(magic))
	}
	end := bytes.IndexByte(data[len(magic):], '\n')
	if end < 0 && n == firstRead && fileSize > firstRead {
		// A large header: read up to the limit.
		big := make([]byte, min(fileSize, maxHeaderLen))
		n, err = f.ReadAt(big, 0)
		if err != nil && err != io.EOF {
			return h, 0, err
		}
		data = big[:n]
		end = bytes.IndexByte(data[len(magic):], '\n')
	}
	if end < 0 {
		return h, 0, fmt.Errorf("%w: header line not terminated within %d bytes", errNotObject, maxHeaderLen)
	}
	if err := json.Unmarshal(data[len(magic):len(magic)+end], &h); err != nil {
		return h, 0, fmt.Errorf("%w: header: %v", errNotObject, err)
	}
	dataOff := int64(len(magic) + end + 1)
	if h.Size < 0 || len(h.ETag) != etagLen || h.ContentType == "" {
		return h, 0, fmt.Errorf("%w: header has size %d, etag %q, content type %q", errNotObject, h.Size, h.ETag, h.ContentType)
	}
	if dataOff+h.Size != fileSize {
		return h, 0, fmt.Errorf("%w: header says %d data bytes after offset %d, but the file has %d bytes",
			errNotObject, h.Size, dataOff, fileSize)
	}
	if len(h.Metadata) == 0 {
		h.Metadata = nil
	}
	return h, dataOff, nil
}
