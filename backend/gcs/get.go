package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cloud.google.com/go/storage"

	"github.com/objstore-dev/objstore/backend"
)

// getAttempts bounds how often Get starts again when the object is
// replaced between reading its attributes and opening its bytes.
const getAttempts = 3

// Get reads the attributes of the object, then its bytes pinned to the
// generation those attributes describe, so that the info and the bytes
// always belong to the same version. If that generation is gone by the
// time the read starts (the object was replaced or removed), Get starts
// again, a few times.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	o := b.bucket.Object(key)
	var lastErr error
	for range getAttempts {
		if err := ctx.Err(); err != nil {
			return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
		}
		attrs, err := o.Attrs(ctx)
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		info := infoOf(attrs)
		off, n, err := backend.ResolveRange(key, attrs.Size, opts)
		if err != nil {
			return nil, backend.ObjectInfo{}, err
		}
		if n == 0 {
			// An empty range needs no request (GCS answers 416 to a range
			// that starts at the end of the object).
			return io.NopCloser(eofReader{}), info, nil
		}
		r, err := o.Generation(attrs.Generation).NewRangeReader(ctx, off, n)
		if errors.Is(err, storage.ErrObjectNotExist) {
			lastErr = err // this generation was replaced or removed: look again
			continue
		}
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		return &rangeReader{r: r, key: key, left: n}, info, nil
	}
	return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrNotFound,
		fmt.Errorf("the object changed during each of %d attempts to read it: %w", getAttempts, lastErr))
}

// Stat returns the attributes of the object.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("stat", key, nil, err)
	}
	attrs, err := b.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return backend.ObjectInfo{}, wrap("stat", key, err)
	}
	return infoOf(attrs), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// rangeReader delivers exactly the bytes of the requested range: a
// transfer that ends early is an error (ErrUnavailable, wrapping
// io.ErrUnexpectedEOF), never a short read that ends in a clean io.EOF.
// Errors are *backend.Error values.
type rangeReader struct {
	r    *storage.Reader
	key  string
	left int64
	err  error // sticky
}

func (g *rangeReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.left <= 0 {
		// Read the underlying reader to its end, so that the library's
		// end-of-object checks (CRC32C of a whole-object read) run.
		var one [1]byte
		n, err := g.r.Read(one[:])
		switch {
		case n > 0:
			g.err = backend.NewError("get", g.key, backend.ErrUnavailable, errors.New("the server sent more bytes than the range holds"))
		case err == nil || err == io.EOF:
			g.err = io.EOF
		default:
			g.err = wrap("get", g.key, err)
		}
		return 0, g.err
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	switch {
	case err == io.EOF && g.left > 0:
		g.err = backend.NewError("get", g.key, backend.ErrUnavailable,
			fmt.Errorf("the transfer ended %d bytes before the end of the range: %w", g.left, io.ErrUnexpectedEOF))
		return n, g.err
	case err == io.EOF:
		g.err = io.EOF
		return n, io.EOF
	case err != nil:
		g.err = wrap("get", g.key, err)
		return n, g.err
	}
	return n, nil
}

func (g *rangeReader) Close() error {
	if err := g.r.Close(); err != nil {
		return wrap("get", g.key, err)
	}
	return nil
}
