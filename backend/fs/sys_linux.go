//go:build linux

package fs

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once openat2(2) turned out to be missing (Linux before
// 5.6, or a seccomp filter that refuses it).
var noOpenat2 atomic.Bool

// openRead opens the file at p (relative to the root) for reading and
// returns its descriptor, without a trip through Go's poller.
//
// The fast path is one openat2(2) with RESOLVE_BENEATH and
// RESOLVE_NO_MAGICLINKS on the root's descriptor: the kernel resolves the
// whole path, symbolic links included, and refuses with EXDEV any that
// leads outside, which is os.Root's rule (a link is followed while it
// stays inside). os.Root itself opens one directory per path component,
// three system calls more for "a/b/c". Whatever openat2 cannot answer
// plainly (EXDEV, EAGAIN after a concurrent rename, ENOSYS) is asked again
// through os.Root, whose answer, and error text, counts.
//
// O_NONBLOCK: opening a named pipe for reading would otherwise wait for a
// writer. It has no effect on reads of regular files.
func (b *Backend) openRead(p string) (fileHandle, error) {
	const flags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC
	if !noOpenat2.Load() {
		fd := -1
		var oerr error
		// Control keeps the root's descriptor open during the call, so a
		// concurrent Close cannot hand its number to another file.
		err := b.rootRC.Control(func(rfd uintptr) {
			for {
				fd, oerr = unix.Openat2(int(rfd), p, &unix.OpenHow{
					Flags:   flags,
					Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
				})
				if oerr != unix.EINTR {
					return
				}
			}
		})
		switch {
		case err != nil:
			return fileHandle{fd: -1}, err
		case oerr == nil:
			return fileHandle{fd: fd}, nil
		case oerr == unix.ENOSYS:
			noOpenat2.Store(true)
		case oerr == unix.ENOENT, oerr == unix.ENOTDIR, oerr == unix.EACCES, oerr == unix.ENXIO,
			oerr == unix.ELOOP, oerr == unix.ENAMETOOLONG:
			return fileHandle{fd: -1}, &os.PathError{Op: "openat", Path: p, Err: oerr}
		}
	}
	f, err := b.root.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fileHandle{fd: -1}, err
	}
	defer f.Close()
	return dupHandle(f)
}

// dupHandle returns a fileHandle of its own for the file behind f.
func dupHandle(f *os.File) (fileHandle, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return fileHandle{fd: -1}, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return fileHandle{fd: -1}, err
	}
	if derr != nil {
		return fileHandle{fd: -1}, &os.PathError{Op: "dup", Path: f.Name(), Err: derr}
	}
	return fileHandle{fd: fd}, nil
}

// fileHandle is an open object file: a bare descriptor, read with
// pread(2), that never enters Go's poller (regular files are always
// ready). It is not safe for concurrent Close and ReadAt.
type fileHandle struct {
	fd int
}

// ReadAt reads with pread(2); it returns io.EOF at the end of the file.
func (h fileHandle) ReadAt(p []byte, off int64) (int, error) {
	total := 0
	for len(p) > 0 {
		n, err := unix.Pread(h.fd, p, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return total, &os.PathError{Op: "pread", Path: "object file", Err: err}
		}
		if n == 0 {
			return total, io.EOF
		}
		total += n
		p = p[n:]
		off += int64(n)
	}
	return total, nil
}

// Close closes the descriptor.
func (h fileHandle) Close() error {
	if h.fd < 0 {
		return nil
	}
	return unix.Close(h.fd)
}

// stat is fstat(2).
func (h fileHandle) stat() (fileStat, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstat(h.fd, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fileStat{}, &os.PathError{Op: "fstat", Path: "object file", Err: err}
		}
		return statOf(&st), nil
	}
}

func statOf(st *unix.Stat_t) fileStat {
	return fileStat{
		mode:  st.Mode,
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ino:   st.Ino,
		uid:   st.Uid,
		gid:   st.Gid,
	}
}

// getAttr reads the object attribute into buf and returns it; nil
// without error when the file has none or the file system has no user
// attributes.
func (h fileHandle) getAttr(buf []byte) ([]byte, error) {
	for {
		n, err := unix.Fgetxattr(h.fd, attrName, buf)
		switch {
		case err == nil:
			return buf[:n], nil
		case err == unix.EINTR:
			continue
		case err == unix.ENODATA, err == unix.ENOTSUP, err == unix.ERANGE:
			// ERANGE: longer than any attribute Put writes, so not ours.
			return nil, nil
		}
		return nil, &os.PathError{Op: "fgetxattr", Path: "object file", Err: err}
	}
}

// statAt is fstatat(2) of the entry name of the open directory d,
// without following a symbolic link: name is one path component, so the
// call cannot leave the root.
func (b *Backend) statAt(d *os.File, dir, name string) (fileStat, error) {
	rc, err := d.SyscallConn()
	if err != nil {
		return fileStat{}, err
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = unix.Fstatat(int(fd), name, &st, unix.AT_SYMLINK_NOFOLLOW)
			if serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return fileStat{}, err
	}
	if serr != nil {
		return fileStat{}, &os.PathError{Op: "fstatat", Path: joinPath(dir, name), Err: serr}
	}
	return statOf(&st), nil
}

func fgetxattr(fd int, name string, buf []byte) (int, error) { return unix.Fgetxattr(fd, name, buf) }

func fsetxattr(fd int, name string, value []byte) error { return unix.Fsetxattr(fd, name, value, 0) }

// setAttr sets the object attribute on the open temp file f.
func setAttr(f *os.File, value []byte) error {
	return control(f, "fsetxattr", func(fd int) error { return unix.Fsetxattr(fd, attrName, value, 0) })
}

// setMtime sets the modification (and access) time of the open file f to
// ns nanoseconds since the epoch: utimensat(2) with a NULL path works on
// the descriptor itself (what glibc's futimens does).
func setMtime(f *os.File, ns int64) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(ns), unix.NsecToTimespec(ns)}
	return control(f, "futimens", func(fd int) error {
		_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
		if e != 0 {
			return e
		}
		return nil
	})
}

// control runs fn on f's descriptor, retrying on EINTR, and wraps its
// error with op and f's name.
func control(f *os.File, op string, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if ferr = fn(int(fd)); !errors.Is(ferr, unix.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	if ferr != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: ferr}
	}
	return nil
}

// attrTooLarge reports whether err, from setting an attribute, may mean
// that the value is longer than the file system keeps: ENOSPC (ext4,
// whose attributes must fit in one block), E2BIG or ERANGE.
func attrTooLarge(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.E2BIG) || errors.Is(err, unix.ERANGE)
}

// errNoAttrs reports whether err means that the file system has no user
// extended attributes.
func errNoAttrs(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

// statFile is fstat(2) of an open *os.File.
func statFile(f *os.File) (fileStat, error) {
	var st unix.Stat_t
	if err := control(f, "fstat", func(fd int) error { return unix.Fstat(fd, &st) }); err != nil {
		return fileStat{}, err
	}
	return statOf(&st), nil
}

// lockExclusive takes an exclusive flock(2) on the file; closing the
// handle releases it.
func (h fileHandle) lockExclusive() error {
	for {
		err := unix.Flock(h.fd, unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}
