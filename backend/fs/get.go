package fs

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/objstore-dev/objstore/backend"
)

// Get opens the object file and returns a reader of the requested range
// straight from the file. The open file keeps the version it opened: a
// concurrent Put renames a new file into place and never changes this
// one, so the reader always sees one complete version.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	p, err := keyToPath("get", key)
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.check(ctx, "get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	o, err := b.openObject(p, key, nil)
	if err != nil {
		return nil, backend.ObjectInfo{}, b.wrap("get", key, err)
	}
	// Preconditions are checked on the version the open file holds: the
	// bytes returned are exactly that version's.
	if err := backend.CheckConditions("get", key, o.info, opts); err != nil {
		o.f.Close()
		return nil, backend.ObjectInfo{}, err
	}
	off, n, err := backend.ResolveRange(key, o.info.Size, opts)
	if err != nil {
		o.f.Close()
		return nil, backend.ObjectInfo{}, err
	}
	return &objectReader{
		ctx:  ctx,
		key:  key,
		f:    o.f,
		off:  o.dataOff + off,
		left: n,
	}, o.info, nil
}

// Stat opens the object file for its stat data and attribute.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	p, err := keyToPath("stat", key)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	o, err := b.openObject(p, key, nil)
	if err != nil {
		return backend.ObjectInfo{}, b.wrap("stat", key, err)
	}
	o.f.Close()
	return o.info, nil
}

// objectReader reads one range of an object file. It stops with the
// context's error once the context of the Get is done, as the readers of
// network drivers do, and it reports a file that ends before the range
// (truncated behind the driver's back) as io.ErrUnexpectedEOF, never as a
// clean end.
type objectReader struct {
	ctx    context.Context
	key    string
	f      fileHandle
	off    int64 // of the next byte in the file
	left   int64
	closed bool
}

func (o *objectReader) Read(p []byte) (int, error) {
	if o.closed {
		return 0, backend.NewError("get", o.key, nil, os.ErrClosed)
	}
	if o.left <= 0 {
		return 0, io.EOF
	}
	if err := o.ctx.Err(); err != nil {
		return 0, backend.NewError("get", o.key, nil, err)
	}
	if int64(len(p)) > o.left {
		p = p[:o.left]
	}
	n, err := o.f.ReadAt(p, o.off)
	o.off += int64(n)
	o.left -= int64(n)
	switch {
	case err == io.EOF && o.left > 0:
		return n, backend.NewError("get", o.key, nil,
			fmt.Errorf("object file ended %d bytes before the end of the range: %w", o.left, io.ErrUnexpectedEOF))
	case err == io.EOF, err == nil && o.left == 0:
		return n, io.EOF
	case err != nil:
		return n, backend.NewError("get", o.key, kindOf(err), err)
	}
	return n, nil
}

// Close closes the file; it is idempotent.
func (o *objectReader) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	return o.f.Close()
}
