//go:build linux

package fs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

var direntBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// scanDir calls fn with the name and kind of every entry of directory dir
// (relative to the root), "." and ".." excepted, in directory order, and
// stops at fn's first error. It reads entries with getdents64(2) and takes
// their kind from d_type: os.File.ReadDir would lstat every entry of a
// directory opened through os.Root, which made listing a wide directory
// many times slower. An entry whose type the file system does not report
// (DT_UNKNOWN) is lstat'ed through the root.
func (b *Backend) scanDir(dir string, fn func(name string, kind entryKind) error) error {
	d, err := b.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	bufp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bufp)
	buf := *bufp
	for {
		var n int
		var gerr error
		if err := rc.Read(func(fd uintptr) bool {
			for {
				n, gerr = unix.Getdents(int(fd), buf)
				if gerr != unix.EINTR {
					return true
				}
			}
		}); err != nil {
			return err
		}
		if gerr != nil {
			return &os.PathError{Op: "getdents", Path: dir, Err: gerr}
		}
		if n <= 0 {
			return nil
		}
		for off := 0; off < n; {
			// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen;
			// u8 d_type; char d_name[]; }
			if off+19 > n {
				return fmt.Errorf("getdents %s: short record", dir)
			}
			ino := binary.NativeEndian.Uint64(buf[off:])
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen < 19 || off+reclen > n {
				return fmt.Errorf("getdents %s: bad record length %d", dir, reclen)
			}
			typ := buf[off+18]
			name := buf[off+19 : off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			off += reclen
			if ino == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			var kind entryKind
			switch typ {
			case unix.DT_REG:
				kind = kindFile
			case unix.DT_DIR:
				kind = kindDir
			case unix.DT_UNKNOWN:
				fi, err := b.root.Lstat(joinPath(dir, string(name)))
				if err != nil {
					if isNotExist(err) {
						continue
					}
					return err
				}
				switch {
				case fi.Mode().IsRegular():
					kind = kindFile
				case fi.IsDir():
					kind = kindDir
				}
			}
			if err := fn(string(name), kind); err != nil {
				return err
			}
		}
	}
}
