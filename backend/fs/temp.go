package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"math/rand/v2"
	"path"
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
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	var errs []error
	walkErr := iofs.WalkDir(b.root.FS(), ".", func(p string, d iofs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if !isNotExist(err) {
				errs = append(errs, err)
			}
			if d != nil && d.IsDir() {
				return iofs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isTempName(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if !isNotExist(err) {
				errs = append(errs, err)
			}
			return nil
		}
		if olderThan > 0 && fi.ModTime().After(cutoff) {
			return nil
		}
		if err := b.root.Remove(p); err != nil {
			if !isNotExist(err) {
				errs = append(errs, err)
			}
			return nil
		}
		removed++
		b.pruneDirs(path.Dir(p))
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	if len(errs) > 0 {
		return removed, b.wrap("cleanup", "", errors.Join(errs...))
	}
	return removed, nil
}
