//go:build linux

package fs

import (
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noCopyFileRange is set once copy_file_range(2) turned out to be missing
// (ENOSYS: Linux before 4.5, or a seccomp filter that refuses it); tests
// set it to exercise the buffered copy.
var noCopyFileRange atomic.Bool

// noClone is set once the FICLONE ioctl turned out to be refused by the
// kernel itself (ENOTTY, ENOSYS), rather than by one file system; tests
// set it to exercise copy_file_range.
var noClone atomic.Bool

// copyKernel copies up to n bytes of f from off to the temp file at its
// file offset with one copy_file_range(2), retried on EINTR; it returns 0
// at f's end.
func (c *fileCopier) copyKernel(f fileHandle, off int64, n int) (int, error) {
	if noCopyFileRange.Load() {
		return 0, unix.ENOSYS
	}
	var m int
	err := control(c.out, "copy_file_range", func(wfd int) (err error) {
		m, err = unix.CopyFileRange(f.fd, &off, wfd, nil, n, 0)
		return err
	})
	if errors.Is(err, unix.ENOSYS) {
		noCopyFileRange.Store(true)
	}
	return m, err
}

// refusedCopy reports whether copy_file_range failed because the kernel
// or the file systems do not offer it for these files (no bytes were
// copied), so that a buffered copy can do the work.
func refusedCopy(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EPERM)
}

// cloneFile makes the empty temp file out share all the blocks of the
// file src, with the FICLONE ioctl (a reflink: btrfs, XFS with reflink=1,
// bcachefs, OCFS2; no byte is copied, and the copy takes no space until
// one of the two files is written). It reports false, without error,
// where the file system cannot (EOPNOTSUPP on ext4 and tmpfs, EXDEV
// across file systems, EINVAL), so that the caller copies the bytes.
func cloneFile(out *os.File, src fileHandle) (bool, error) {
	if noClone.Load() {
		return false, nil
	}
	err := control(out, "ficlone", func(fd int) error { return unix.IoctlFileClone(fd, src.fd) })
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOTTY), errors.Is(err, unix.ENOSYS):
		noClone.Store(true)
		return false, nil
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EXDEV), errors.Is(err, unix.EINVAL),
		errors.Is(err, unix.EPERM), errors.Is(err, unix.EBADF), errors.Is(err, unix.ETXTBSY):
		return false, nil
	}
	return false, err
}
