package fs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

// attrBufs recycles the buffers that read attributes and v1 headers.
var attrBufs = sync.Pool{New: func() any { b := make([]byte, maxAttrLen); return &b }}

// object is an open object file and what it says about the object.
type object struct {
	f       fileHandle
	st      fileStat // of the file, when it was opened
	dataOff int64    // where the object's bytes start: 0, or after a v1 header
	info    backend.ObjectInfo
}

// openObject opens the file at p (relative to the root) as the object
// with the given key. Every regular file is an object:
//
//   - with the object attribute (written by Put): its bytes, its content
//     type, metadata, HTTP attributes and checksum from the attribute (a
//     record v2 of the previous version has no HTTP attributes and no
//     checksum);
//   - without it, starting with a valid objstore/fs v1 header (a store of
//     an earlier version): the bytes after the header, with the header's
//     size, ETag, content type and metadata;
//   - any other file (one that another program wrote): its bytes, the
//     default content type, no metadata, no HTTP attributes and no
//     checksum.
//
// A directory, pipe, socket, device or symbolic link loop at p gives an
// error wrapping errNotObject. buf is scratch space of at least
// maxAttrLen bytes, or nil. The caller closes o.f.
func (b *Backend) openObject(p, key string, buf []byte) (object, error) {
	f, err := b.openRead(p)
	if err != nil {
		// A socket (ENXIO) or a loop of symbolic links (ELOOP) at the key
		// is not an object.
		if errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.ELOOP) {
			err = fmt.Errorf("%w: %w", errNotObject, err)
		}
		return object{}, err
	}
	o, err := b.readObject(f, key, buf)
	if err != nil {
		f.Close()
		return object{}, err
	}
	return o, nil
}

func (b *Backend) readObject(f fileHandle, key string, buf []byte) (object, error) {
	st, err := f.stat()
	if err != nil {
		return object{}, err
	}
	if !st.regular() {
		what := "not a regular file"
		if st.isDir() {
			what = "a directory"
		}
		return object{}, fmt.Errorf("%w: %s", errNotObject, what)
	}
	if len(buf) < maxAttrLen {
		bp := attrBufs.Get().(*[]byte)
		defer attrBufs.Put(bp)
		buf = *bp
	}
	if b.cfg.attrs {
		raw, err := f.getAttr(buf)
		if err != nil {
			return object{}, err
		}
		if a, ok := decodeAttrs(raw); ok {
			return object{f: f, st: st, info: plainInfo(key, st, a)}, nil
		}
	}
	if st.size >= int64(len(magic)) {
		n, err := f.ReadAt(buf[:len(magic)], 0)
		if err != nil && n < len(magic) {
			return object{}, err
		}
		if bytes.Equal(buf[:len(magic)], []byte(magic)) {
			if h, off, err := readHeader(f, st.size, buf); err == nil {
				return object{f: f, st: st, dataOff: off, info: backend.ObjectInfo{
					Key:          key,
					Size:         h.Size,
					LastModified: st.modTime(),
					ETag:         h.ETag,
					ContentType:  h.ContentType,
					Metadata:     h.Metadata,
				}}, nil
			} else if !errors.Is(err, errNotObject) {
				return object{}, err
			}
			// A broken v1 header: the file is read as it is.
		}
	}
	return object{f: f, st: st, info: plainInfo(key, st, attrs{})}, nil
}

// mayRead reports whether the process may open a file with this stat
// data for reading, judged by its owner, group and permission bits as
// the kernel does (access control lists aside), so that List can leave
// out, and report, what Get could not read without opening every file.
func (b *Backend) mayRead(st fileStat) bool {
	switch {
	case b.euid == 0:
		return true // CAP_DAC_OVERRIDE
	case st.uid == uint32(b.euid):
		return st.mode&0o400 != 0
	case b.inGroup(st.gid):
		return st.mode&0o040 != 0
	}
	return st.mode&0o004 != 0
}

func (b *Backend) inGroup(gid uint32) bool {
	for _, g := range b.groups {
		if uint32(g) == gid {
			return true
		}
	}
	return false
}

// unreadable is the error of a file that mayRead refused.
func unreadable(p string) error {
	return &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}
}
