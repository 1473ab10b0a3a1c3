//go:build linux

package fs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Reading a directory while other goroutines or processes rename files
// into it is not a snapshot when it takes several getdents64(2) calls:
// on tmpfs (Linux 6.6 and later, stable directory offsets) a file renamed
// over an existing name gets a new offset past the end of the pass in
// progress, so a name that existed the whole time is missed if the
// rename falls between two calls (TestListDuringOverwrites saw 4-57 of
// 3000 keys missing per listing). btrfs can do the same. One call,
// however, runs with the directory's lock held, and rename(2), link(2),
// unlink(2) and creat(2) in that directory take the same lock for
// writing: one call that returns every entry is a snapshot on every file
// system. scanDir therefore reads each directory with one call into a
// buffer that holds all of it, and grows the buffer and reads again from
// the start until one call did.
const (
	// minDirentBuf is the smallest buffer, enough for about 800 entries
	// with 20-byte names.
	minDirentBuf = 32 << 10
	// maxPooledDirentBuf is the largest buffer kept for reuse; larger
	// ones (directories of more than about 100,000 entries) are left to
	// the garbage collector after the call.
	maxPooledDirentBuf = 4 << 20
	// maxDirentBuf bounds the buffer: a directory of more than about 1.5
	// million entries is read in several calls, without the snapshot
	// guarantee (docs/fs.md, Limits).
	maxDirentBuf = 64 << 20
	// maxDirentLen is the longest linux_dirent64 record: 19 bytes before
	// the name, a 255-byte name and its NUL, aligned to 8 bytes. When a
	// call leaves at least this much of the buffer unused, the kernel
	// stopped because the directory ended (or a signal is pending).
	maxDirentLen = (19 + 255 + 1 + 7) &^ 7
	// snapshotAttempts bounds the reads from the start that scanDir makes
	// when a call was cut short by a signal; after that it accepts a read
	// in several calls.
	snapshotAttempts = 8
)

var direntBufs = sync.Pool{New: func() any { b := make([]byte, minDirentBuf); return &b }}

// scanDir calls fn with the name and kind of every entry of directory dir
// (relative to the root), "." and ".." excepted, in directory order, and
// stops at fn's first error. The entries are one snapshot of the
// directory (see above): a name that exists throughout the call is always
// reported, even while files are renamed over it. It reads entries with
// getdents64(2) and takes their kind from d_type: os.File.ReadDir would
// lstat every entry of a directory opened through os.Root, which made
// listing a wide directory many times slower. An entry whose type the
// file system does not report (DT_UNKNOWN) is lstat'ed through the root.
func (b *Backend) scanDir(dir string, fn func(name string, kind entryKind) error) error {
	d, err := b.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return b.scanOpenDir(d, dir, false, fn)
}

// scanOpenDir is scanDir on the open directory d; rewind reads it from
// the start again (d was read before).
func (b *Backend) scanOpenDir(d *os.File, dir string, rewind bool, fn func(name string, kind entryKind) error) error {
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	bufp := direntBufs.Get().(*[]byte)
	defer func() {
		if cap(*bufp) <= maxPooledDirentBuf {
			direntBufs.Put(bufp)
		}
	}()
	// The directory's size is a hint of the buffer it needs: ext4 and xfs
	// report the bytes of their own (smaller) records, tmpfs 20 per entry.
	if fi, err := d.Stat(); err == nil && fi.Size() > 0 {
		if want := min(2*fi.Size()+minDirentBuf, maxDirentBuf); int64(len(*bufp)) < want {
			*bufp = make([]byte, want)
		}
	}
	var probe [maxDirentLen]byte
	for attempt := 1; ; attempt++ {
		if attempt > 1 || rewind {
			if _, err := d.Seek(0, 0); err != nil {
				return err
			}
		}
		buf := *bufp
		n, err := getdents(rc, dir, buf)
		if err != nil {
			return err
		}
		if len(buf)-n < maxDirentLen && len(buf) < maxDirentBuf {
			// Possibly more than fits: read again with twice the room.
			*bufp = make([]byte, min(2*len(buf), maxDirentBuf))
			continue
		}
		// The call stopped short of the buffer's end: at the end of the
		// directory, or because a signal is pending. A second call tells
		// which: it finds nothing after the end of the directory as it
		// was (tmpfs ends every pass at the end it had when the pass
		// began; ext4 and xfs have nothing after the last hash).
		more, err := getdents(rc, dir, probe[:])
		if err != nil {
			return err
		}
		if more == 0 {
			return b.emitDirents(dir, buf[:n], fn)
		}
		if attempt < snapshotAttempts && len(buf)-n >= maxDirentLen {
			continue
		}
		// Give up on the snapshot: the entries in several calls.
		if err := b.emitDirents(dir, buf[:n], fn); err != nil {
			return err
		}
		if err := b.emitDirents(dir, probe[:more], fn); err != nil {
			return err
		}
		for {
			n, err := getdents(rc, dir, buf)
			if err != nil || n == 0 {
				return err
			}
			if err := b.emitDirents(dir, buf[:n], fn); err != nil {
				return err
			}
		}
	}
}

// getdents makes one getdents64(2) call on the directory behind rc and
// returns the bytes it filled.
func getdents(rc syscall.RawConn, dir string, buf []byte) (int, error) {
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
		return 0, err
	}
	if gerr != nil {
		return 0, &os.PathError{Op: "getdents", Path: dir, Err: gerr}
	}
	return max(n, 0), nil
}

// emitDirents calls fn for each linux_dirent64 record in buf.
func (b *Backend) emitDirents(dir string, buf []byte, fn func(name string, kind entryKind) error) error {
	n := len(buf)
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
	return nil
}
