package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// FS is a read-only io/fs view of the objects under a prefix: an fs.FS,
// fs.StatFS, fs.ReadDirFS and fs.ReadFileFS, for fs.WalkDir,
// http.FileServerFS, template.ParseFS and the like. Client.FS returns it.
//
// Names are the keys under the prefix, split at '/'. Directories are not
// stored: a directory exists when keys lie below it (or when another tool
// stored a folder object "dir/"), and it has no modification time. A
// stream object is a file whose content is the concatenation of its
// chunks, as they are when it is opened (a stream in progress is read up
// to its last chunk then; a stream with a missing chunk below its last
// fails to open, with ErrNotFound naming the gap); its chunk and marker
// keys are not entries.
//
// Some keys cannot be shown, and are left out of listings and not found
// by Open:
//
//   - the chunk and marker keys of stream objects ("NAME/BASE.N",
//     "NAME/.inprogress"), also an object at a marker's key that is not a
//     marker;
//   - an object or stream whose name is also a directory (both "a" and
//     "a/b" exist, which mem, s3, gcs and azure allow): the directory
//     wins, as a directory can hold many entries;
//   - keys that objstore does not address (docs/foreign-keys.md: "a//b",
//     "a/./b", a '.' or '..' component between '\' separators), and names
//     with a '\', which io/fs forbids in directory entries (fstest.TestFS
//     refuses them, as '\' separates paths on Windows); a folder object
//     "dir/" only makes its directory exist;
//   - the stream whose name is the prefix itself (its chunks lie directly
//     under the prefix).
//
// Files implement io.ReaderAt and io.Seeker (ObjectReader's ranged reads:
// a file is pinned to the version it opened, ErrChanged otherwise). Their
// FileInfo.Sys() is an *ObjectStats (a listing may leave its ContentType
// and Metadata empty); modification times are cut to whole seconds, the
// precision of HTTP dates, so that a listing, a Stat and an Open agree.
//
// Listing a directory lists every key below it (the stores are listed
// flat), so a ReadDir near the top of a large tree costs as many List
// pages as the tree has keys / 1000. Open lists the keys below the name
// (to tell a directory, and to find a stream's chunks) before it opens a
// file: two requests per file. All calls use the context given to
// Client.FS; errors are *fs.PathError values that wrap fs.ErrNotExist,
// fs.ErrInvalid or fs.ErrPermission as well as objstore's sentinel.
type FS struct {
	c      *Client
	ctx    context.Context
	prefix string
	err    error // an invalid prefix, reported by every call
}

var (
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// FS returns a read-only fs.FS of the objects under prefix ("" for the
// whole store, else a directory: "a/b/", or "a/b", which means the same),
// with the root "." at prefix. See FS for what is shown. ctx governs every
// call on it. An invalid prefix (backend.ValidatePrefix) makes every call
// fail with an error that wraps ErrInvalidKey and fs.ErrInvalid.
func (c *Client) FS(ctx context.Context, prefix string) *FS {
	f := &FS{c: c, ctx: ctx, prefix: prefix}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		f.prefix += "/"
	}
	if err := backend.ValidatePrefix("fs", f.prefix); err != nil {
		f.err = err
	} else if f.prefix != "" {
		f.err = backend.ValidateKey("fs", strings.TrimSuffix(f.prefix, "/"))
	}
	return f
}

// kind is what a listed key makes visible at its path.
type kind int

const (
	kindObject kind = iota // an object: a file
	kindFolder             // a folder object "dir/": a directory
	kindChunk              // a chunk of the stream at the path
	kindMarker             // the marker of the stream at the path
)

// classify returns the path, relative to the root, that the listed object
// o makes visible, and how; ok is false for a key that shows nothing.
func (f *FS) classify(o backend.ObjectInfo) (path string, k kind, ok bool) {
	key := o.Key
	if !strings.HasPrefix(key, f.prefix) {
		return "", 0, false
	}
	switch stream, what, reserved := streamKeyOf(key); {
	case strings.HasSuffix(key, "/"):
		path, k = strings.TrimSuffix(key[len(f.prefix):], "/"), kindFolder
	case reserved:
		if len(stream) <= len(f.prefix) || !strings.HasPrefix(stream, f.prefix) {
			return "", 0, false // the root's own stream, or none of ours
		}
		if what == "the marker" {
			if !isMarker(o) {
				return "", 0, false
			}
			k = kindMarker
		} else {
			k = kindChunk
		}
		path = stream[len(f.prefix):]
	default:
		path, k = key[len(f.prefix):], kindObject
	}
	return path, k, f.visible(path)
}

// visible reports whether path can be an entry: a valid fs path without
// '\' whose key objstore can address.
func (f *FS) visible(path string) bool {
	return path != "" && path != "." && fs.ValidPath(path) && !strings.Contains(path, `\`) &&
		backend.ValidateKey("fs", f.prefix+path) == nil
}

// node is what a name resolves to.
type node struct {
	dir    bool
	object *backend.ObjectInfo // a plain object
	body   io.ReadCloser       // its open body (Open only)
	chunks []chunkInfo         // a stream's chunks, by index
	marker *backend.ObjectInfo // a stream's marker
}

type chunkInfo struct {
	n    int
	info backend.ObjectInfo
}

// lookup resolves name (a valid fs path). With open it opens a plain
// object's body.
func (f *FS) lookup(name string, open bool) (*node, error) {
	if f.err != nil {
		return nil, f.err
	}
	if name == "." {
		return &node{dir: true}, nil
	}
	if !f.visible(name) {
		return nil, errNoEntry
	}
	key := f.prefix + name
	nd := &node{}
	var sk streamKeys
	streamOK := false
	if k, err := newStreamKeys("fs", key); err == nil {
		sk, streamOK = k, true
	}
	// Everything below key: a directory (which wins), or the stream's parts.
	for o, err := range f.c.Objects(f.ctx, key+"/") {
		if err != nil {
			return nil, err
		}
		p, k, ok := f.classify(o)
		if !ok {
			continue
		}
		if p != name || k == kindFolder {
			return &node{dir: true}, nil
		}
		switch {
		case k == kindMarker:
			info := o
			nd.marker = &info
		case k == kindChunk && streamOK:
			if n := sk.chunkIndex(o.Key); n >= 0 {
				nd.chunks = append(nd.chunks, chunkInfo{n, o})
			}
		}
	}
	if _, _, reserved := streamKeyOf(key); !reserved {
		var (
			info backend.ObjectInfo
			rc   io.ReadCloser
			err  error
		)
		if open {
			rc, info, err = get(f.ctx, f.c.b, key, backend.WholeObject)
		} else {
			info, err = f.c.b.Stat(f.ctx, key)
		}
		if err == nil {
			return &node{object: &info, body: rc}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if len(nd.chunks) > 0 || nd.marker != nil {
		slices.SortFunc(nd.chunks, func(a, b chunkInfo) int { return a.n - b.n })
		return nd, nil
	}
	return nil, errNoEntry
}

// errNoEntry is the cause of a name that shows nothing.
var errNoEntry = errors.New("no object, stream or directory of that name")

// info describes a resolved name.
func (nd *node) info(name string) *fileInfo {
	base := name[strings.LastIndexByte(name, '/')+1:]
	switch {
	case nd.dir:
		return &fileInfo{name: base, dir: true}
	case nd.object != nil:
		return objectFileInfo(base, *nd.object)
	}
	var agg streamAgg
	for _, ch := range nd.chunks {
		agg.addChunk(ch.n, ch.info)
	}
	if nd.marker != nil {
		agg.addMarker(*nd.marker)
	}
	return agg.fileInfo(base)
}

// streamAgg sums up a stream from its listed keys, as statStream does.
type streamAgg struct {
	chunks, first int
	size          int64
	mod           time.Time
	marker        bool
	markerMod     time.Time
}

func (a *streamAgg) addChunk(n int, o backend.ObjectInfo) {
	if a.chunks == 0 || n < a.first {
		a.first = n
	}
	a.chunks++
	a.size += o.Size
	if o.LastModified.After(a.mod) {
		a.mod = o.LastModified
	}
}

func (a *streamAgg) addMarker(o backend.ObjectInfo) { a.marker, a.markerMod = true, o.LastModified }

func (a *streamAgg) fileInfo(name string) *fileInfo {
	mod := a.mod
	if a.chunks == 0 {
		mod = a.markerMod
	}
	st := &ObjectStats{Size: a.size, LastModified: mod, IsStream: true, InProgress: a.marker, Chunks: a.chunks, FirstChunk: a.first}
	return &fileInfo{name: name, size: a.size, mod: fsTime(mod), sys: st}
}

func objectFileInfo(name string, o backend.ObjectInfo) *fileInfo {
	st := &ObjectStats{Size: o.Size, LastModified: o.LastModified, ContentType: o.ContentType, Metadata: o.Metadata, ETag: o.ETag}
	return &fileInfo{name: name, size: o.Size, mod: fsTime(o.LastModified), sys: st}
}

// Open opens the file or directory name. A file is an *ObjectReader's
// ranged reads (io.ReaderAt, io.Seeker); a directory is an
// fs.ReadDirFile.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	nd, err := f.lookup(name, true)
	if err != nil {
		return nil, pathError("open", name, err)
	}
	info := nd.info(name)
	if nd.dir {
		return &dirFile{f: f, name: name, info: info}, nil
	}
	rctx, cancel := context.WithCancel(f.ctx)
	key := f.prefix + name
	if nd.object != nil {
		o := *nd.object
		seg := segment{key: key, size: o.Size, pinned: true, etag: o.ETag, mod: o.LastModified}
		r := newObjectReader(f.c, rctx, cancel, key, o, []segment{seg})
		if o.Size > 0 {
			r.seq = &rangeStream{rc: nd.body, end: o.Size}
		} else {
			_ = nd.body.Close()
		}
		return &file{r: r, name: name, info: info}, nil
	}
	// A stream: its chunks in index order, which must have no gap.
	var segs []segment
	var off int64
	for i, ch := range nd.chunks {
		if i > 0 && ch.n != nd.chunks[i-1].n+1 {
			cancel()
			return nil, pathError("open", name, backend.NewError("open", key, ErrNotFound, fmt.Errorf(
				"stream %q is missing chunk %d although it has chunks up to %d (removed or expired)",
				key, nd.chunks[i-1].n+1, nd.chunks[len(nd.chunks)-1].n)))
		}
		if ch.info.Size > 0 {
			segs = append(segs, segment{key: ch.info.Key, start: off, size: ch.info.Size})
			off += ch.info.Size
		}
	}
	r := newObjectReader(f.c, rctx, cancel, key, backend.ObjectInfo{Size: off, LastModified: info.sys.LastModified}, segs)
	return &file{r: r, name: name, info: info}, nil
}

// Stat describes name without reading it.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	nd, err := f.lookup(name, false)
	if err != nil {
		return nil, pathError("stat", name, err)
	}
	return nd.info(name), nil
}

// ReadFile reads the whole file name.
func (f *FS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	fl, err := f.Open(name)
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Op = "readfile"
		}
		return nil, err
	}
	defer fl.Close()
	r, ok := fl.(*file)
	if !ok {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errIsDir}
	}
	// One byte more than the size, so that the Read that sees io.EOF
	// needs no room of its own.
	data := make([]byte, 0, r.info.size+1)
	for {
		if len(data) == cap(data) {
			data = slices.Grow(data, 512)
		}
		n, err := r.r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, pathError("readfile", name, err)
		}
	}
}

var (
	errIsDir  = errors.New("is a directory")
	errNotDir = errors.New("not a directory")
)

// ReadDir lists the directory name, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, err := f.readDir(name)
	if err != nil {
		return nil, pathError("readdir", name, err)
	}
	return entries, nil
}

func (f *FS) readDir(name string) ([]fs.DirEntry, error) {
	if f.err != nil {
		return nil, f.err
	}
	dirPrefix := "" // of paths in the directory, relative to the root
	if name != "." {
		if !f.visible(name) {
			return nil, errNoEntry
		}
		dirPrefix = name + "/"
	}
	type child struct {
		dir, object bool
		info        backend.ObjectInfo
		stream      streamAgg
	}
	children := map[string]*child{}
	isDir := name == "."
	for o, err := range f.c.Objects(f.ctx, f.prefix+dirPrefix) {
		if err != nil {
			return nil, err
		}
		p, k, ok := f.classify(o)
		if !ok || !strings.HasPrefix(p, dirPrefix) {
			if ok && p == name && k == kindFolder {
				isDir = true // the folder object of the directory itself
			}
			continue // the parts of a stream named like the directory
		}
		isDir = true
		base, _, deeper := strings.Cut(p[len(dirPrefix):], "/")
		ch := children[base]
		if ch == nil {
			ch = &child{}
			children[base] = ch
		}
		switch {
		case deeper || k == kindFolder:
			ch.dir = true
		case k == kindObject:
			ch.object, ch.info = true, o
		case k == kindChunk:
			sk, err := newStreamKeys("fs", f.prefix+p)
			if err != nil {
				continue
			}
			ch.stream.addChunk(sk.chunkIndex(o.Key), o)
		case k == kindMarker:
			ch.stream.addMarker(o)
		}
	}
	if !isDir {
		// Nothing below name: tell a file from nothing at all.
		nd, err := f.lookup(name, false)
		if err != nil {
			return nil, err
		}
		if !nd.dir {
			return nil, errNotDir
		}
	}
	entries := make([]fs.DirEntry, 0, len(children))
	for base, ch := range children {
		var info *fileInfo
		switch {
		case ch.dir:
			info = &fileInfo{name: base, dir: true}
		case ch.object:
			info = objectFileInfo(base, ch.info)
		default:
			info = ch.stream.fileInfo(base)
		}
		entries = append(entries, fs.FileInfoToDirEntry(info))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// pathError wraps err in an *fs.PathError that also matches the io/fs
// sentinel of objstore's.
func pathError(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == name {
		return err
	}
	switch {
	case err == errNoEntry:
		err = fs.ErrNotExist
	case errors.Is(err, ErrNotFound) && !errors.Is(err, fs.ErrNotExist):
		err = fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	case errors.Is(err, ErrInvalidKey) && !errors.Is(err, fs.ErrInvalid):
		err = fmt.Errorf("%w: %w", fs.ErrInvalid, err)
	case errors.Is(err, ErrPermission) && !errors.Is(err, fs.ErrPermission):
		err = fmt.Errorf("%w: %w", fs.ErrPermission, err)
	case errors.Is(err, ErrClosed) && !errors.Is(err, fs.ErrClosed):
		err = fmt.Errorf("%w: %w", fs.ErrClosed, err)
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// fileInfo is the fs.FileInfo of FS.
type fileInfo struct {
	name string
	size int64
	mod  time.Time
	dir  bool
	sys  *ObjectStats // nil for a directory
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) ModTime() time.Time { return i.mod }
func (i *fileInfo) IsDir() bool        { return i.dir }
func (i *fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// Sys returns the *ObjectStats of a file, nil for a directory.
func (i *fileInfo) Sys() any {
	if i.sys == nil {
		return nil
	}
	return i.sys
}

// file is an open file of FS.
type file struct {
	r    *ObjectReader
	name string
	info *fileInfo
}

var (
	_ io.ReaderAt = (*file)(nil)
	_ io.Seeker   = (*file)(nil)
)

func (fl *file) Stat() (fs.FileInfo, error) { return fl.info, nil }

func (fl *file) Read(p []byte) (int, error) {
	n, err := fl.r.Read(p)
	return n, fileError("read", fl.name, err)
}

func (fl *file) ReadAt(p []byte, off int64) (int, error) {
	n, err := fl.r.ReadAt(p, off)
	return n, fileError("read", fl.name, err)
}

func (fl *file) Seek(offset int64, whence int) (int64, error) {
	n, err := fl.r.Seek(offset, whence)
	return n, fileError("seek", fl.name, err)
}

func (fl *file) Close() error { return fl.r.Close() }

// fileError keeps io.EOF as it is (io.Reader's contract) and wraps other
// errors in an *fs.PathError.
func fileError(op, name string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return pathError(op, name, err)
}

// dirFile is an open directory of FS. Its entries are listed on the
// first ReadDir.
type dirFile struct {
	f    *FS
	name string
	info *fileInfo

	mu      sync.Mutex
	entries []fs.DirEntry
	listed  bool
	closed  bool
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }

func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errIsDir}
}

func (d *dirFile) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// ReadDir returns the next n entries (all of them for n <= 0), as
// fs.ReadDirFile specifies.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: fs.ErrClosed}
	}
	if !d.listed {
		entries, err := d.f.readDir(d.name)
		if err != nil {
			return nil, pathError("readdir", d.name, err)
		}
		d.entries, d.listed = entries, true
	}
	if n <= 0 {
		all := d.entries
		d.entries = nil
		return all, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	part := d.entries[:n:n]
	d.entries = d.entries[n:]
	return part, nil
}

// fsTime is a modification time as FS reports it: in UTC, cut to whole
// seconds (the precision of HTTP dates), so that a listing, a Stat and a
// Get, which may carry different precisions and locations, agree.
func fsTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
