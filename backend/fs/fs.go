package fs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

var (
	_ backend.Backend      = (*Backend)(nil)
	_ backend.BatchRemover = (*Backend)(nil)
)

// Backend stores objects as files under one directory. It is safe for
// concurrent use by many goroutines, and by several processes sharing the
// directory (every change is an atomic rename, link or unlink).
type Backend struct {
	root    *os.Root // every file operation goes through it
	rootDir *os.File // the root directory, for openat2 (see openRead)
	rootRC  syscall.RawConn
	dir     string // absolute path of the root, for String and errors
	cfg     config
	// statList: List reads stat data only (the store holds no v1 files;
	// see layout.go); otherwise it opens each file, as Stat does.
	statList bool
	euid     int   // for mayRead
	groups   []int // effective and supplementary group IDs, for mayRead
	closed   atomic.Bool
}

// New opens the store in dir, creating the directory (and its parents) if
// it is missing, and removes temp files older than the stale-temp age
// (WithStaleTempAge) that crashed writers left behind. Failures of that
// cleanup do not fail New; RemoveStaleTemps reports them.
//
// An existing directory is a store as it is: every regular file in it is
// an object, and New writes nothing into a directory that holds anything
// (but a temp-file probe, removed at once). New checks that the file
// system has user extended attributes, where objects keep their content
// type and metadata; where it has none (ramfs, vfat, some network and
// FUSE file systems), New fails with ErrNotSupported unless
// WithoutMetadata is given.
func New(dir string, opts ...Option) (*Backend, error) {
	if dir == "" {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("directory is empty"))
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, backend.NewError("open", "", backend.ErrInvalidArgument, err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, err)
	}
	if err := os.MkdirAll(abs, cfg.dirMode); err != nil {
		return nil, backend.NewError("open", "", kindOf(err), err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, backend.NewError("open", "", kindOf(err), err)
	}
	b := &Backend{root: root, dir: abs, cfg: cfg, euid: os.Geteuid()}
	if b.rootDir, err = root.Open("."); err == nil {
		b.rootRC, err = b.rootDir.SyscallConn()
	}
	if err != nil {
		b.Close()
		return nil, backend.NewError("open", "", kindOf(err), err)
	}
	if b.euid != 0 {
		b.groups, _ = os.Getgroups()
		b.groups = append(b.groups, os.Getegid())
	}
	if err := b.probeAttrs(); err != nil {
		b.Close()
		return nil, err
	}
	b.statList = b.layout()
	if cfg.staleTempAge >= 0 {
		_, _ = b.RemoveStaleTemps(context.Background(), cfg.staleTempAge)
	}
	return b, nil
}

// Dir returns the absolute path of the store's directory.
func (b *Backend) Dir() string { return b.dir }

// String returns the store's URL.
func (b *Backend) String() string { return "file://" + filepath.ToSlash(b.dir) }

// Close closes the directory handle. Readers returned by Get stay usable
// until they are closed; every other call returns ErrClosed.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	if b.rootDir != nil {
		b.rootDir.Close()
	}
	if err := b.root.Close(); err != nil {
		return backend.NewError("close", "", nil, err)
	}
	return nil
}

// check returns ErrClosed after Close, and the context's error once it is
// done, so that no I/O starts for a call that cannot succeed.
func (b *Backend) check(ctx context.Context, op, key string) error {
	if b.closed.Load() {
		return backend.NewError(op, key, backend.ErrClosed, nil)
	}
	if err := ctx.Err(); err != nil {
		return backend.NewError(op, key, nil, err)
	}
	return nil
}
