package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
)

// getAttempts bounds how often Get starts again when the object is
// replaced while Get opens it.
const getAttempts = 10

// Get needs two requests, the attributes (metadata, ETag) and the bytes,
// and returns them only when both belong to the same version of the
// object, so that info always describes the bytes: it reads the
// attributes, opens the range, and compares the generation the read
// answered with. When they differ (the object was replaced in between),
// it reads the attributes once more, which then usually match the read
// already open; otherwise it starts again after a short random pause.
// The storage reader resumes a broken transfer pinned to the generation
// it started with, so the bytes of one Get never mix two versions.
//
// Pinning the read to the generation of the attributes instead would fail
// more often: in a bucket without object versioning a generation
// disappears as soon as it is replaced, so every overwrite between the
// two requests would cost a round.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	o := b.bucket.Object(key)
	for attempt := range getAttempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
		}
		attrs, err := o.Attrs(ctx)
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		off, n, err := backend.ResolveRange(key, attrs.Size, opts)
		if err != nil {
			return nil, backend.ObjectInfo{}, err
		}
		if n == 0 {
			// An empty range needs no request (GCS answers 416 to a range
			// that starts at the end of the object).
			return io.NopCloser(eofReader{}), infoOf(attrs), nil
		}
		length := opts.Length
		if length < 0 {
			length = -1 // to the end of whatever version the read finds
		}
		r, err := o.NewRangeReader(ctx, off, length)
		if errors.Is(err, storage.ErrObjectNotExist) || isStatus(err, http.StatusRequestedRangeNotSatisfiable) {
			continue // removed or shrunk since the attributes were read
		}
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		if !sameVersion(attrs, r) {
			if attrs, err = o.Attrs(ctx); err != nil || !sameVersion(attrs, r) {
				r.Close()
				if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
					return nil, backend.ObjectInfo{}, wrap("get", key, err)
				}
				continue
			}
			if _, n, err = backend.ResolveRange(key, attrs.Size, opts); err != nil {
				r.Close()
				return nil, backend.ObjectInfo{}, err
			}
		}
		return &rangeReader{r: r, key: key, left: n}, infoOf(attrs), nil
	}
	return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrServerBusy,
		fmt.Errorf("gcs: the object was replaced during each of %d attempts to read it", getAttempts))
}

// sameVersion reports whether the read r serves the version that attrs
// describe. An emulator that sends no metageneration on reads is compared
// on the generation alone.
func sameVersion(attrs *storage.ObjectAttrs, r *storage.Reader) bool {
	if attrs.Generation != r.Attrs.Generation {
		return false
	}
	return r.Attrs.Metageneration == 0 || attrs.Metageneration == r.Attrs.Metageneration
}

// pause waits a random time that grows with attempt (at most 50ms), or
// until ctx ends.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(min(time.Millisecond<<attempt, 50*time.Millisecond))) + 1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isStatus reports whether err is a *googleapi.Error with the status.
func isStatus(err error, status int) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == status
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
