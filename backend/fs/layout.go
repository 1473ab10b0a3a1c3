package fs

import (
	"errors"
	"fmt"
	"os"

	"github.com/objstore-dev/objstore/backend"
)

// probeAttrs checks at New that the file system keeps user extended
// attributes, by setting one on a temp file in the root (removed at
// once). Without them objects could not keep their content type and
// metadata, and New fails with ErrNotSupported, saying why and what to
// do, unless WithoutMetadata was given. A probe that cannot even create
// its temp file (a read-only store, a directory of another user) proves
// nothing: New goes on, and a Put meets the same error later.
func (b *Backend) probeAttrs() error {
	if !b.cfg.attrs {
		return nil
	}
	name := newTempName()
	f, err := b.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil
	}
	err = setAttr(f, encodeAttrs(attrs{contentType: backend.DefaultContentType}))
	f.Close()
	_ = b.root.Remove(name)
	if err != nil && errNoAttrs(err) {
		return backend.NewError("open", "", backend.ErrNotSupported, fmt.Errorf(
			"the file system of %s has no user extended attributes (user.*), where the fs driver keeps each object's content type and metadata "+
				"(ramfs, vfat and some network or FUSE file systems have none; ext4, xfs, btrfs and tmpfs since Linux 6.6 have them): "+
				"use a directory on such a file system, or open the store with fs.WithoutMetadata() (URL: ?metadata=none) "+
				"to keep plain files without content types and metadata: %w", b.dir, err))
	}
	return nil
}

// The layout mark. A store that holds files of the objstore/fs v1 format
// (an earlier version's header before the data) needs every file opened
// to list its size: the file's own size counts the header too. A store
// that New found empty cannot hold such files (this version never writes
// them), so New marks it, with the attribute user.objstore = layoutMark on
// the root directory, and List then reads stat data only. A directory
// that already holds something is never written to: it lists by opening
// its files, as Stat does, at the cost of earlier versions. The mark is
// an attribute, not a file, so that the tree holds nothing but the
// objects; a copy that drops attributes drops the mark too, which is
// always safe.
const layoutMark = "objstore/fs v2 store: plain files only"

// layout reports whether List may read stat data only: the root has the
// mark, or held nothing at New (and then gets the mark). Any error (a
// read-only store, no attributes) answers false, which is always correct.
func (b *Backend) layout() bool {
	if !b.cfg.attrs {
		return false
	}
	buf := make([]byte, 256)
	var n int
	err := control(b.rootDir, "fgetxattr", func(fd int) (err error) {
		n, err = fgetxattr(fd, attrName, buf)
		return err
	})
	if err == nil {
		return string(buf[:n]) == layoutMark
	}
	empty := true
	errFull := errors.New("not empty")
	err = b.scanDir(".", func(name string, _ entryKind) error {
		if isTempName(name) {
			return nil
		}
		empty = false
		return errFull
	})
	if err != nil && err != errFull || !empty {
		return false
	}
	err = control(b.rootDir, "fsetxattr", func(fd int) error { return fsetxattr(fd, attrName, []byte(layoutMark)) })
	if err == nil {
		err = b.rootDir.Sync()
	}
	return err == nil
}
