package fs

import (
	"errors"
	"fmt"
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

// blocker is what keeps a directory at a key from being replaced by the
// key's object: the first entry below it that is not a directory, or a
// directory that could not be read or removed.
type blocker struct {
	path string    // relative to the root
	kind entryKind // of a file or other entry; unused with err
	err  error     // reading or removing the directory failed
}

// describe says, for the error of a Put of key, what the blocker is
// and what to do about it. Its cause (bl.err, if any) is the caller's to
// wrap.
func (bl blocker) describe(b *Backend, key string) string {
	name := bl.path[strings.LastIndexByte(bl.path, '/')+1:]
	switch {
	case bl.err != nil && (isNotExist(bl.err) || errors.Is(bl.err, syscall.ENOTEMPTY)):
		return fmt.Sprintf("puts of keys below %q kept creating directories in it while this put tried to replace it; put %q again once they are done", key, key)
	case bl.err != nil:
		return fmt.Sprintf("%q could not be read or removed, so the fs driver cannot tell whether it holds objects; give the store's user access to it, or remove it, and put %q again", bl.path, key)
	case bl.kind == kindFile && isTempName(name):
		return fmt.Sprintf("%q is a temp file of a put in progress or of a crashed writer; New and RemoveStaleTemps remove it once it is older than the stale-temp age (%v by default), or remove it yourself if no put is running, and put %q again",
			bl.path, DefaultStaleTempAge, key)
	case bl.kind == kindFile:
		return fmt.Sprintf("%q is a file whose name no key maps to (a name reserved by the driver, or one that is not valid UTF-8 or holds control characters), so it is no object; remove or move it and put %q again",
			bl.path, key)
	}
	if fi, err := b.root.Lstat(bl.path); err == nil && fi.Mode()&iofs.ModeSymlink != 0 {
		return fmt.Sprintf("%q is a symbolic link, which the store never lists or follows; remove or move it and put %q again", bl.path, key)
	}
	return fmt.Sprintf("%q is not a regular file (a pipe, socket or device), which the store never lists; remove or move it and put %q again", bl.path, key)
}

// removeEmptyTree removes the directory p (relative to the root) and all
// directories below it, deepest first, as long as they hold nothing but
// directories: such a tree holds no objects (a crash in Remove, or
// another tool, left it), so a Put of the key at p may replace it. It
// only ever uses rmdir semantics (rmdirAt), so it never removes a file,
// and a Put that is creating a directory below p at the same time sees
// ENOENT and creates it again (see above). It returns nil once p is gone,
// and otherwise the first thing found that blocks it.
func (b *Backend) removeEmptyTree(p string) *blocker {
	var files []blocker
	var subdirs []string
	err := b.scanDir(p, func(name string, kind entryKind) error {
		if kind == kindDir {
			subdirs = append(subdirs, name)
		} else if len(files) == 0 {
			files = append(files, blocker{path: joinPath(p, name), kind: kind})
		}
		return nil
	})
	switch {
	case isNotExist(err):
		return nil // gone already
	case errors.Is(err, syscall.ENOTDIR):
		return &blocker{path: p, kind: kindFile} // replaced by a file meanwhile
	case err != nil:
		return &blocker{path: p, err: err}
	case len(files) > 0:
		return &files[0]
	}
	for _, name := range subdirs {
		if bl := b.removeEmptyTree(joinPath(p, name)); bl != nil {
			return bl
		}
	}
	parent, name := parentDir(p), p[strings.LastIndexByte(p, '/')+1:]
	if err := b.rmdirAt(parent, name); err != nil && !isNotExist(err) {
		return &blocker{path: p, err: err}
	}
	return nil
}
