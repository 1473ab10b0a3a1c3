//go:build !linux

package fs

import (
	"io"
	"os"
)

// scanDir calls fn with the name and kind of every entry of directory dir
// (relative to the root) in directory order, and stops at fn's first
// error. This portable version uses os.File.ReadDir, which lstats every
// entry of a directory opened through os.Root; Linux has a faster one.
func (b *Backend) scanDir(dir string, fn func(name string, kind entryKind) error) error {
	d, err := b.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return b.scanOpenDir(d, dir, false, fn)
}

// scanOpenDir is scanDir on the open directory d; rewind reads it from
// the start again (d was read before).
func (b *Backend) scanOpenDir(d *os.File, dir string, rewind bool, fn func(name string, kind entryKind) error) error {
	if rewind {
		if _, err := d.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	for {
		des, err := d.ReadDir(scanBatch)
		for _, de := range des {
			kind := kindOther
			switch {
			case de.Type().IsRegular():
				kind = kindFile
			case de.Type().IsDir():
				kind = kindDir
			}
			if ferr := fn(de.Name(), kind); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
