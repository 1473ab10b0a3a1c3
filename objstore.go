// Package objstore is one object-store API over MinIO, S3, GCS, Azure, a
// local directory and memory. It implements the original minio-client's API (PutObject,
// PutStreamObject, GetObject, GetStreamObjectAtOffset, StatObject,
// ListObjects, RemoveObjects), every method with a context first, plus what
// Go users expect beyond it (ranges, iterators, presigned URLs, health).
//
// A Client is built once on the small backend.Backend interface, so every
// driver gets all of it: key validation, stream objects, listing and batch
// removal live here, in one place, and drivers only store bytes.
//
//	c, err := objstore.Open(ctx, "file://./data")
//	n, err := c.PutObject(ctx, "captures/a.pcap", file, map[string]string{"host": "h1"})
//	rc, err := c.GetObject(ctx, "captures/a.pcap")
//
// # URLs
//
// Open accepts any URL whose scheme has a registered driver (see
// backend.Open). mem:// (a fresh in-memory store), mem://NAME (a named one,
// shared in the process), file:///abs/dir or file://./rel/dir, and
// minio://ACCESS:SECRET@host:port[,host:port...]/bucket always work, since
// this package imports backend/mem, backend/fs and backend/minio (the
// driver of NewClient). Other schemes (s3://, gs://, azblob://) need their
// driver imported, e.g. import _ "github.com/objstore-dev/objstore/backend/s3";
// without it Open fails with ErrNotSupported naming the import to add. New wraps a
// backend you made yourself (mem.New() in unit tests), and NewClient is the
// original client's constructor: the bucket "tenant.service" on the MinIO servers a
// Resolver names.
//
// Every URL Open takes may also carry rate limits, which Open removes
// before the driver sees the URL: requests_per_sec=50, request_burst=10,
// read_bytes_per_sec=10MiB, write_bytes_per_sec=1MiB (backend/ratelimit).
//
// # Stream objects
//
// PutStreamObject returns a writer whose every Write stores one more chunk
// object: chunk N of stream "a/b/cap" is the object "a/b/cap/cap.N", and
// while the writer is open the marker "a/b/cap/.inprogress" exists (the
// original client's layout, so data it wrote stays readable). GetStreamObjectAtOffset
// reads one chunk, waiting for it while the writer is live; OpenStream
// reads chunks in order and follows a live writer like tail -f. See
// docs/streams.md for the guarantees and the races they handle.
//
// # Errors
//
// Every error unwraps to one of the sentinels ErrNotFound, ErrExist,
// ErrInvalidKey, ErrInvalidArgument, ErrClosed, ErrNotSupported,
// ErrPermission, ErrUnavailable, ErrServerBusy, ErrTooLarge,
// ErrPreconditionFailed or ErrNotModified (the same
// values as package backend's), so callers test with errors.Is; the
// driver's native error stays reachable with errors.As. Errors are
// *backend.Error values naming the operation and the key, or, for
// RemoveObjects, an errors.Join of one per key that could not be removed.
// Keys are checked (backend.ValidateKey) before any I/O. A context that
// ends while the client waits gives an error that wraps the context's
// error. docs/errors.md lists when each sentinel appears and what to do.
package objstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
	_ "github.com/objstore-dev/objstore/backend/fs"  // file:// always works
	_ "github.com/objstore-dev/objstore/backend/mem" // mem:// always works
	"github.com/objstore-dev/objstore/backend/ratelimit"
	"github.com/objstore-dev/objstore/internal/observe"
)

// Client is the object-store client. It is safe for concurrent use by
// many goroutines; its cost per call over the backend's own is a key check.
type Client struct {
	b       backend.Backend
	pollMin time.Duration
	pollMax time.Duration
	log     *slog.Logger
	// createOnly caches whether the backend can make create-only puts
	// (PutOptions.IfNotExist): createOnlyUnknown until the first try.
	createOnly atomic.Int32
}

const (
	createOnlyUnknown int32 = iota
	createOnlyYes
	createOnlyNo
)

// ObjectStats describes an object or a stream object.
type ObjectStats struct {
	Size         int64             // bytes; for a stream, of all chunks so far
	LastModified time.Time         // for a stream, of its newest chunk (or of its marker if it has none)
	ContentType  string            // for a stream, of its first chunk
	Metadata     map[string]string // normalised user metadata (lower-case keys)
	ETag         string            // the store's entity tag; empty for a stream
	IsStream     bool              // the name is a stream object (chunks under NAME/)
	InProgress   bool              // a stream whose writer has not closed (marker NAME/.inprogress exists)
	Chunks       int               // number of chunks of a stream
	FirstChunk   int               // lowest chunk index of a stream (above 0 once old chunks expired); OpenStream(..., FirstChunk) starts there
	// HTTPAttributes (CacheControl, ContentEncoding, ...) as the object,
	// or a stream's first chunk, was put with them.
	backend.HTTPAttributes
	// Checksum the store keeps with the object (zero for a stream, and
	// for objects the store keeps none for); full reads are verified
	// against it.
	Checksum backend.Checksum
}

// Open opens the store that url names (see # URLs) and returns a client on
// it. The client owns the backend: Close closes it. With rate-limit
// parameters in url, the backend is wrapped by ratelimit.FromURL;
// ratelimit.LimiterOf(c.Backend()) finds its Limiter.
func Open(ctx context.Context, url string, opts ...Option) (*Client, error) {
	url, limit, err := ratelimit.FromURL(url) // requests_per_sec=, read_bytes_per_sec=, ... on every URL
	if err != nil {
		return nil, err
	}
	b, err := backend.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return New(limit(b), opts...), nil
}

// New returns a client on b, wrapped by the WithMiddleware options. The
// client owns b: Close closes it. New panics if b is nil, a programming
// error like a nil http.Handler.
func New(b backend.Backend, opts ...Option) *Client {
	if b == nil {
		panic("objstore: New with a nil backend")
	}
	o := buildOptions(opts)
	for _, mw := range o.middleware {
		if w := mw(b); w != nil {
			b = w
		}
	}
	return &Client{b: b, pollMin: o.pollMin, pollMax: o.pollMax, log: o.logger}
}

// Backend returns the client's backend, middleware included, for the
// operations and capabilities the client does not wrap.
func (c *Client) Backend() backend.Backend { return c.b }

// String names the client's store: "objstore.Client(" + the backend's
// String, with any credentials redacted, or its type + ")". fmt's %v
// and %+v print this, never the client's fields (which its goroutines
// change while it is in use) or a secret.
func (c *Client) String() string { return "objstore.Client(" + observe.Name(c.b) + ")" }

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// Close closes the backend. Later calls fail with ErrClosed; Close itself
// is idempotent. Open stream writers and readers are not closed by it:
// close them first.
func (c *Client) Close() error { return c.b.Close() }

// PutObject stores the bytes of reader under objectName with the user
// metadata userMeta (nil is fine) and returns the number of bytes stored.
// A reader of unknown size is streamed: memory does not grow with the
// object (on drivers that upload in parts; mem keeps everything in memory
// by nature). The size of a *bytes.Buffer, *bytes.Reader or
// *strings.Reader is passed on to the driver, which lets it make a single
// request. The put is atomic: on any error no object is created or
// changed. A nil reader is ErrInvalidArgument.
func (c *Client) PutObject(ctx context.Context, objectName string, reader io.Reader, userMeta map[string]string) (int64, error) {
	info, err := c.PutObjectWith(ctx, objectName, reader, backend.PutOptions{Size: readerSize(reader), Metadata: userMeta})
	if err != nil {
		return 0, err
	}
	return info.Size, nil
}

// PutObjectWith stores the bytes of r under name with the given options:
// Size (-1 when unknown; 0 means an empty object), ContentType, Metadata
// IfNotExist (create-only: ErrExist if name is taken, ErrNotSupported
// if the backend cannot do it) and IfMatch (compare-and-swap: replace the
// object only if its ETag is still IfMatch, else ErrPreconditionFailed
// and the object is unchanged; ErrNotSupported if the backend cannot make
// the check atomic). It returns the stored object's info; its ETag (empty
// on drivers whose puts do not report it: StatObject has it) is the one
// to give as IfMatch to the next compare-and-swap.
func (c *Client) PutObjectWith(ctx context.Context, name string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("put", name); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := reservedKeyError("put", name); err != nil {
		return backend.ObjectInfo{}, err
	}
	if isNil(r) {
		return backend.ObjectInfo{}, backend.NewError("put", name, ErrInvalidArgument, errors.New("reader is nil"))
	}
	return c.b.Put(ctx, name, r, opts)
}

// GetObject returns a reader of the whole object. The caller must Close
// it. A missing object is ErrNotFound; a stream object is not an object
// (read it with OpenStream).
func (c *Client) GetObject(ctx context.Context, objectName string) (io.ReadCloser, error) {
	if err := backend.ValidateKey("get", objectName); err != nil {
		return nil, err
	}
	rc, _, err := get(ctx, c.b, objectName, backend.WholeObject)
	return rc, err
}

// GetObjectRange returns a reader of length bytes of the object from
// offset; a negative length reads to the end. An offset past the end is
// ErrInvalidArgument; a range that runs past the end is cut there; a zero
// length or an offset at the end gives an empty reader.
func (c *Client) GetObjectRange(ctx context.Context, name string, offset, length int64) (io.ReadCloser, error) {
	opts := backend.GetOptions{Offset: offset, Length: length}
	if err := backend.CheckGet(name, opts); err != nil {
		return nil, err
	}
	rc, _, err := get(ctx, c.b, name, opts)
	return rc, err
}

// StatObject describes objectName: a plain object if one exists, else the
// stream object of that name (IsStream set; see docs/streams.md), else
// ErrNotFound.
func (c *Client) StatObject(ctx context.Context, objectName string) (*ObjectStats, error) {
	if err := backend.ValidateKey("stat", objectName); err != nil {
		return nil, err
	}
	info, err := c.b.Stat(ctx, objectName)
	if err == nil {
		return &ObjectStats{
			Size:           info.Size,
			LastModified:   info.LastModified,
			ContentType:    info.ContentType,
			Metadata:       info.Metadata,
			ETag:           info.ETag,
			HTTPAttributes: info.HTTPAttributes,
			Checksum:       info.Checksum,
		}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return c.statStream(ctx, objectName)
}

// RemoveObject removes one object. Removing a missing object is not an
// error. To remove a stream object, remove its prefix with RemoveObjects.
// The marker and chunks of a stream in progress cannot be removed one by
// one (ErrInvalidArgument): that would end or break a stream under its
// writer and readers.
func (c *Client) RemoveObject(ctx context.Context, name string) error {
	if err := backend.ValidateKey("remove", name); err != nil {
		return err
	}
	if stream, _, ok := streamKeyOf(name); ok {
		k, err := newStreamKeys("remove", stream)
		if err == nil {
			if _, err = c.statMarker(ctx, k); err == nil {
				return reservedKeyError("remove", name)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
	return c.b.Remove(ctx, name)
}

// readerSize returns the number of bytes r will deliver when r knows it
// without being read, else -1 (unknown).
func readerSize(r io.Reader) int64 {
	switch v := r.(type) {
	case *bytes.Buffer:
		if v != nil {
			return int64(v.Len())
		}
	case *bytes.Reader:
		if v != nil {
			return int64(v.Len())
		}
	case *strings.Reader:
		if v != nil {
			return int64(v.Len())
		}
	case *io.SectionReader:
		if v != nil {
			return remaining(v, v.Size())
		}
	case *os.File:
		// A regular file: what is left from its offset. (A pipe, a device
		// or a file that grows has no size to give.)
		if v != nil {
			if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
				return remaining(v, fi.Size())
			}
		}
	}
	return -1
}

// remaining is the number of bytes of a reader of size bytes from its
// current offset on, -1 when it cannot tell.
func remaining(s io.Seeker, size int64) int64 {
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil || pos < 0 {
		return -1
	}
	return max(size-pos, 0)
}

// isNil reports a nil reader, also a typed nil pointer in an interface,
// which would otherwise panic deep inside a driver.
func isNil(r io.Reader) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
