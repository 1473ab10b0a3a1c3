package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
)

// The local drivers against their limits:
//
//   - fs: the objstore client on the fs driver (temp file, extended
//     attribute, fsync, rename, fsync of the directory) against what a
//     program does with the os package alone to replace a file safely and
//     durably: write a temp file, fsync, rename, fsync the directory; and
//     a plain os.Open and read for gets.
//   - mem: the objstore client on the mem driver against gocloud's
//     memblob.
//
// Names of the contestants in the local tables.
const (
	nameFS      = "objstore (fs)"
	nameOS      = "os: write+fsync+rename+fsync dir / read"
	nameMem     = "objstore (mem)"
	nameMemblob = "gocloud memblob"
)

type localSize struct {
	label   string
	size    int
	fsOps   int
	memOps  int
	inMemOK bool
}

func localSizes(quick bool) []localSize {
	div := 1
	if quick {
		div = 4
	}
	return []localSize{
		{"1 KiB", 1 << 10, 200 / div, 20000 / div, true},
		{"1 MiB", 1 << 20, 40 / div, 400 / div, true},
		{"64 MiB", 64 << 20, max(4/div, 1), 0, false},
	}
}

func runLocal(ctx context.Context, cfg *settings) ([]*comparison, error) {
	dir, err := os.MkdirTemp("", "objstore-bench-local-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fsb, err := fs.New(filepath.Join(dir, "fs"))
	if err != nil {
		return nil, err
	}
	fsc := objstore.New(fsb)
	defer fsc.Close()
	osDir := filepath.Join(dir, "os")
	if err := os.MkdirAll(osDir, 0o755); err != nil {
		return nil, err
	}
	memc := objstore.New(mem.New())
	defer memc.Close()
	mb := memblob.OpenBucket(nil)
	defer mb.Close()

	fsTable := &comparison{
		title: "Local files: the fs driver against the os package",
		intro: "Sequential puts and gets. The os baseline replaces a file as safely as it can be done by hand (temp file, write, " +
			"fsync, rename, fsync of the directory, without which the rename itself may not survive a crash) and reads it with " +
			"os.Open; the fs driver does the same through os.Root, plus the extended attribute with the content type and " +
			"metadata and a modification time of its own (for the ETag) on the temp file, and on get reads that attribute.",
		columns: []string{nameFS, nameOS}, objstore: []string{nameFS},
	}
	memTable := &comparison{
		title: "In memory: the mem driver against gocloud memblob",
		intro: "Sequential puts and gets through each library's public API. Both copy the bytes on put and read the " +
			"stored bytes in place on get (the mem driver never modifies stored bytes: an overwrite stores a new slice).",
		columns: []string{nameMem, nameMemblob}, objstore: []string{nameMem},
	}
	buf := make([]byte, copyBufSize)
	for _, sz := range localSizes(cfg.quick) {
		data := randomData(sz.size)
		scale, unit := 1.0, "ops/s"
		if sz.size >= 1<<20 {
			scale, unit = float64(sz.size)/(1<<20), "MiB/s"
		}
		key := "local/" + strings.ReplaceAll(sz.label, " ", "")
		osPath := filepath.Join(osDir, strings.ReplaceAll(sz.label, " ", ""))
		cfg.logf("local: fs %s", sz.label)
		puts, err := interleave(ctx, "fs put "+sz.label, cfg.rounds, []contender{
			{nameFS, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.fsOps, scale, func(int) error {
					_, err := fsc.PutObject(ctx, key, bytes.NewReader(data), nil)
					return err
				})
			}},
			{nameOS, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.fsOps, scale, func(int) error { return osReplace(osPath, data) })
			}},
		})
		if err != nil {
			return nil, err
		}
		fsTable.rows = append(fsTable.rows, compRow{name: "put " + sz.label, unit: unit, higherBetter: true, values: puts})
		gets, err := interleave(ctx, "fs get "+sz.label, cfg.rounds, []contender{
			{nameFS, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.fsOps*4, scale, func(int) error {
					rc, err := fsc.GetObject(ctx, key)
					if err != nil {
						return err
					}
					return drainExact(rc, buf, sz.size)
				})
			}},
			{nameOS, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.fsOps*4, scale, func(int) error {
					f, err := os.Open(osPath)
					if err != nil {
						return err
					}
					return drainExact(f, buf, sz.size)
				})
			}},
		})
		if err != nil {
			return nil, err
		}
		fsTable.rows = append(fsTable.rows, compRow{name: "get " + sz.label, unit: unit, higherBetter: true, values: gets})

		if !sz.inMemOK {
			continue
		}
		cfg.logf("local: mem %s", sz.label)
		puts, err = interleave(ctx, "mem put "+sz.label, cfg.rounds, []contender{
			{nameMem, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.memOps, scale, func(int) error {
					_, err := memc.PutObject(ctx, key, bytes.NewReader(data), nil)
					return err
				})
			}},
			{nameMemblob, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.memOps, scale, func(int) error { return mb.WriteAll(ctx, key, data, nil) })
			}},
		})
		if err != nil {
			return nil, err
		}
		memTable.rows = append(memTable.rows, compRow{name: "put " + sz.label, unit: unit, higherBetter: true, values: puts})
		gets, err = interleave(ctx, "mem get "+sz.label, cfg.rounds, []contender{
			{nameMem, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.memOps, scale, func(int) error {
					rc, err := memc.GetObject(ctx, key)
					if err != nil {
						return err
					}
					return drainExact(rc, buf, sz.size)
				})
			}},
			{nameMemblob, func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.memOps, scale, func(int) error {
					r, err := mb.NewReader(ctx, key, (*blob.ReaderOptions)(nil))
					if err != nil {
						return err
					}
					return drainExact(r, buf, sz.size)
				})
			}},
		})
		if err != nil {
			return nil, err
		}
		memTable.rows = append(memTable.rows, compRow{name: "get " + sz.label, unit: unit, higherBetter: true, values: gets})
	}
	return []*comparison{fsTable, memTable}, nil
}

// osReplace replaces path with data the careful way the os package
// allows: a temp file in the same directory, written, fsynced, renamed,
// and the directory fsynced so that the rename survives a crash.
func osReplace(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// drainExact reads r to its end, closes it, and checks the byte count.
func drainExact(r io.ReadCloser, buf []byte, want int) error {
	n, err := drain(io.Discard, r, buf)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != int64(want) {
		err = fmt.Errorf("read %d bytes, want %d", n, want)
	}
	return err
}
