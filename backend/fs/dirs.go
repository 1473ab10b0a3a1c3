package fs

import (
	"errors"
	iofs "io/fs"
	"strings"
	"syscall"
)

// Directories are created on demand by Put and removed by Remove once they
// hold nothing, so the tree mirrors the keys. Two rules keep that safe
// under concurrency, also between processes:
//
//   - directories are only ever removed with rmdir(2) semantics (rmdirAt),
//     which fails on a non-empty directory and never unlinks a file, so a
//     cleanup can never delete an object that a concurrent Put just
//     renamed into place;
//   - Put creates its temp file inside the target directory before it
//     renames it, so a directory holding a Put in flight is never empty;
//     a Put whose directory was pruned between its mkdir and its temp file
//     creation sees ENOENT and simply creates the directory again.

// maxMkdirRetries bounds how often Put recreates a directory that
// concurrent Removes keep pruning.
const maxMkdirRetries = 100

// mkdirAll makes sure dir (relative to the root, "." for the root) exists
// and returns the directories it created, outermost first. A component
// that exists but is not a directory is returned as conflict (a file that
// is probably another key's object).
func (b *Backend) mkdirAll(dir string) (created []string, conflict string, err error) {
	if dir == "." {
		return nil, "", nil
	}
	if fi, err := b.root.Stat(dir); err == nil && fi.IsDir() {
		return nil, "", nil
	}
	segs := strings.Split(dir, "/")
	for i := range segs {
		d := strings.Join(segs[:i+1], "/")
		err := b.root.Mkdir(d, b.cfg.dirMode)
		if err == nil {
			created = append(created, d)
			continue
		}
		if errors.Is(err, iofs.ErrExist) {
			fi, serr := b.root.Stat(d)
			if serr != nil {
				return created, "", serr
			}
			if !fi.IsDir() {
				return created, d, nil
			}
			continue
		}
		if errors.Is(err, syscall.ENOTDIR) && i > 0 {
			return created, strings.Join(segs[:i], "/"), nil
		}
		return created, "", err
	}
	return created, "", nil
}

// syncDir fsyncs a directory so that the entries created, renamed or
// removed in it survive a crash. File systems that cannot fsync a
// directory (EINVAL) order metadata updates themselves, so that is not an
// error.
func (b *Backend) syncDir(dir string) error {
	f, err := b.root.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// pruneDirs removes dir and then its parents while they are empty, up to
// but never including the root. It is best effort: it stops at the first
// directory that is not empty or cannot be removed.
func (b *Backend) pruneDirs(dir string) {
	for dir != "." && dir != "" {
		parent := parentDir(dir)
		name := dir[strings.LastIndexByte(dir, '/')+1:]
		if err := b.rmdirAt(parent, name); err != nil && !isNotExist(err) {
			return
		}
		dir = parent
	}
}
