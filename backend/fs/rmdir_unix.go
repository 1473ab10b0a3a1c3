//go:build unix

package fs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// rmdirAt removes the empty directory name inside the directory parent
// (relative to the root). The parent is opened through os.Root, and name is
// a single path component (never "." or ".."), so the unlinkat(2) cannot
// reach outside the root; AT_REMOVEDIR makes it fail on anything that is
// not an empty directory, including a file that a concurrent Put just
// renamed to that name.
func (b *Backend) rmdirAt(parent, name string) error {
	if name == "" || name == "." || name == ".." {
		return errors.New("rmdirAt: invalid name " + name)
	}
	d, err := b.root.Open(parent)
	if err != nil {
		return err
	}
	defer d.Close()
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var uerr error
	if err := rc.Control(func(fd uintptr) {
		uerr = unix.Unlinkat(int(fd), name, unix.AT_REMOVEDIR)
	}); err != nil {
		return err
	}
	if uerr != nil {
		return &os.PathError{Op: "rmdir", Path: joinPath(parent, name), Err: uerr}
	}
	return nil
}
