package fs

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// newTempName returns a fresh temp file name: tempPrefix and 16 random hex
// digits. No key segment maps to such a name (see escapeSegment), and the
// file is created with O_EXCL, so a collision is retried, never shared.
func newTempName() string {
	return tempPrefix + strconv.FormatUint(rand.Uint64()|1<<63, 16)
}

// isTempName reports whether a file name is one of Put's temp files.
func isTempName(name string) bool {
	return strings.HasPrefix(name, tempPrefix)
}

// RemoveStaleTemps removes the temp files that crashed writers left in
// the store, those whose last write is at least olderThan ago (zero: all
// of them; use it only when no other process writes to the directory),
// together with the directories that are empty afterwards. It returns how
// many it removed. New calls it with the age set by WithStaleTempAge; a
// long-running process that shares its directory with others that may
// crash can call it from time to time. Errors on single files do not stop
// it; they are joined in the returned error.
func (b *Backend) RemoveStaleTemps(ctx context.Context, olderThan time.Duration) (int, error) {
	if err := b.check(ctx, "cleanup", ""); err != nil {
		return 0, err
	}
	c := &cleaner{b: b, ctx: ctx, all: olderThan <= 0, cutoff: time.Now().Add(-olderThan)}
	if err := c.clean("."); err != nil {
		c.errs = append(c.errs, err)
	}
	if len(c.errs) > 0 {
		return c.removed, b.wrap("cleanup", "", errors.Join(c.errs...))
	}
	return c.removed, nil
}

// cleaner is one RemoveStaleTemps walk. Symbolic links are never
// followed: scanDir reports them as kindOther.
type cleaner struct {
	b       *Backend
	ctx     context.Context
	all     bool
	cutoff  time.Time
	removed int
	errs    []error // of single files and directories; the walk goes on
}

// clean removes the stale temp files under dir; it returns only the
// context's error, and collects the others.
func (c *cleaner) clean(dir string) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	var subdirs, temps []string
	err := c.b.scanDir(dir, func(name string, kind entryKind) error {
		switch {
		case kind == kindDir:
			subdirs = append(subdirs, name)
		case kind == kindFile && isTempName(name):
			temps = append(temps, name)
		}
		return nil
	})
	if err != nil {
		if !isNotExist(err) {
			c.errs = append(c.errs, err)
		}
		return nil
	}
	removedHere := false
	for _, name := range temps {
		p := joinPath(dir, name)
		fi, err := c.b.root.Lstat(p)
		if err == nil && (c.all || !fi.ModTime().After(c.cutoff)) {
			err = c.b.root.Remove(p)
			if err == nil {
				c.removed++
				removedHere = true
			}
		}
		if err != nil && !isNotExist(err) {
			c.errs = append(c.errs, err)
		}
	}
	for _, name := range subdirs {
		if err := c.clean(joinPath(dir, name)); err != nil {
			return err
		}
	}
	if removedHere {
		c.b.pruneDirs(dir)
	}
	return nil
}
