package fs

import (
	"context"
	"errors"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

// Remove unlinks the object file, fsyncs its directory and then removes
// the directories that are left empty, up to but never including the root
// (see dirs.go for why that is safe next to concurrent Puts). A key that
// names a directory, or lies below a file, is not an object: Remove
// returns nil and changes nothing. unlink(2) never follows a symbolic
// link, so a link at the key is removed itself, never its target.
func (b *Backend) Remove(ctx context.Context, key string) error {
	p, err := keyToPath("remove", key)
	if err != nil {
		return err
	}
	if err := b.check(ctx, "remove", key); err != nil {
		return err
	}
	removed, err := b.unlink(p)
	if err != nil {
		return b.wrap("remove", key, err)
	}
	if removed {
		if err := b.syncDir(parentDir(p)); err != nil && !isNotExist(err) {
			return b.wrap("remove", key, err)
		}
		b.pruneDirs(parentDir(p))
	}
	return nil
}

// RemoveMany removes many keys, fsyncing each directory and pruning empty
// directories once per directory rather than once per key. Every failure
// is reported per key (errors.Join of *backend.Error), and a key that
// fails never stops the others.
//
// Every key, also one of a listing (backend.WithListedKeys), must map to a
// path inside the root (keyToPath, which applies ValidateKey): that is the
// driver's confinement, and List only returns keys that map to a path, so
// a listed key always passes. Files that no key maps to (names with
// control characters or invalid UTF-8, the driver's temp files, files
// without an object header) are never listed and so never removed.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	if err := b.check(ctx, "remove", ""); err != nil {
		return err
	}
	var errs []error
	paths := make([]string, len(keys))
	for i, k := range keys {
		p, err := keyToPath("remove", k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		paths[i] = p
	}
	var dirs []string
	seen := map[string]bool{}
	for i, p := range paths {
		if p == "" {
			continue // refused above
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, backend.NewError("remove", keys[i], nil, err))
			break
		}
		removed, err := b.unlink(p)
		if err != nil {
			errs = append(errs, b.wrap("remove", keys[i], err))
			continue
		}
		if d := parentDir(p); removed && !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		if err := b.syncDir(d); err != nil && !isNotExist(err) {
			errs = append(errs, b.wrap("remove", "", err))
		}
	}
	// Deepest first, so that a parent is tried after its children.
	for i := len(dirs) - 1; i >= 0; i-- {
		b.pruneDirs(dirs[i])
	}
	return errors.Join(errs...)
}

// unlink removes the file at p and reports whether there was one. A
// missing file, a directory at p, or a file instead of a directory on the
// way to p mean that no object exists there.
func (b *Backend) unlink(p string) (bool, error) {
	fi, err := b.root.Lstat(p)
	switch {
	case isNotExist(err), errors.Is(err, syscall.ENOTDIR):
		return false, nil
	case err != nil:
		return false, err
	case fi.IsDir():
		return false, nil
	}
	// os.Root.Remove tries unlink(2) and then rmdir(2); the Lstat above
	// leaves only the unlink: rmdir would at worst remove an empty
	// directory that a concurrent Put made, which retries its mkdir.
	err = b.root.Remove(p)
	switch {
	case err == nil:
		return true, nil
	case isNotExist(err), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENOTEMPTY), errors.Is(err, syscall.EEXIST):
		return false, nil
	}
	return false, err
}
