//go:build !unix

package fs

import (
	"errors"
	"syscall"
)

// rmdirAt removes the empty directory name inside parent. Without
// unlinkat(2) it checks that the entry is a directory and then removes it
// through os.Root; a file renamed into its place between the two steps
// would be removed, a window the unix version does not have.
func (b *Backend) rmdirAt(parent, name string) error {
	if name == "" || name == "." || name == ".." {
		return errors.New("rmdirAt: invalid name " + name)
	}
	p := joinPath(parent, name)
	fi, err := b.root.Lstat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return syscall.ENOTDIR
	}
	return b.root.Remove(p)
}
