//go:build !linux

package fs

import (
	"errors"
	"os"
	"syscall"
)

// The portable versions: files are opened through os.Root, and extended
// attributes are not used (the probe at New finds them missing, so New
// refuses unless WithoutMetadata is given). Linux has faster ones.

func (b *Backend) openRead(p string) (fileHandle, error) {
	f, err := b.root.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fileHandle{}, err
	}
	return fileHandle{f: f}, nil
}

// fileHandle is an open object file.
type fileHandle struct {
	f *os.File
}

func (h fileHandle) ReadAt(p []byte, off int64) (int, error) { return h.f.ReadAt(p, off) }

func (h fileHandle) Close() error {
	if h.f == nil {
		return nil
	}
	return h.f.Close()
}

func (h fileHandle) stat() (fileStat, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	return statOfInfo(fi), nil
}

func (h fileHandle) getAttr([]byte) ([]byte, error) { return nil, nil }

func statOfInfo(fi os.FileInfo) fileStat {
	st := fileStat{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: uint32(fi.Mode().Perm())}
	switch {
	case fi.Mode().IsRegular():
		st.mode |= modeReg
	case fi.IsDir():
		st.mode |= modeDir
	}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = uint64(sys.Ino)
		st.uid, st.gid = sys.Uid, sys.Gid
	}
	return st
}

func (b *Backend) statAt(d *os.File, dir, name string) (fileStat, error) {
	fi, err := b.root.Lstat(joinPath(dir, name))
	if err != nil {
		return fileStat{}, err
	}
	return statOfInfo(fi), nil
}

func setAttr(f *os.File, value []byte) error {
	return &os.PathError{Op: "fsetxattr", Path: f.Name(), Err: errors.ErrUnsupported}
}

func setMtime(f *os.File, ns int64) error { return nil }

func errNoAttrs(err error) bool { return errors.Is(err, errors.ErrUnsupported) }

func attrTooLarge(error) bool { return false }

func statFile(f *os.File) (fileStat, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	return statOfInfo(fi), nil
}

func fgetxattr(int, string, []byte) (int, error) { return 0, errors.ErrUnsupported }

func fsetxattr(int, string, []byte) error { return errors.ErrUnsupported }

func control(f *os.File, op string, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	if ferr != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: ferr}
	}
	return nil
}
