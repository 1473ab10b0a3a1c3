package gocloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

// getAttempts bounds how often Get starts again when the object is
// replaced while Get opens it.
const getAttempts = 10

// Get reads the attributes (metadata, size, ETag), then opens the range,
// and returns them only when both belong to the same version, so that the
// info always describes the bytes. On Azure the read carries If-Match with
// the ETag of the attributes, so the service itself refuses another
// version (412); on other drivers the reader's size and modification time
// must equal the attributes'. When the object was replaced in between,
// Get starts again after a short random pause.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	name := b.opts.keys.Encode(key)
	for attempt := range getAttempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
		}
		attrs, err := b.bucket.Attributes(ctx, name)
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		info := infoOf(key, attrs)
		off, n, err := backend.ResolveRange(key, attrs.Size, opts)
		if err != nil {
			return nil, backend.ObjectInfo{}, err
		}
		if n == 0 {
			return io.NopCloser(strings.NewReader("")), info, nil
		}
		etag := azcore.ETag(attrs.ETag)
		r, err := b.bucket.NewRangeReader(ctx, name, off, n, &blob.ReaderOptions{
			BeforeRead: func(as func(any) bool) error {
				var az *azblob.DownloadStreamOptions
				if as(&az) && etag != "" {
					if az.AccessConditions == nil {
						az.AccessConditions = &azblobblob.AccessConditions{}
					}
					if az.AccessConditions.ModifiedAccessConditions == nil {
						az.AccessConditions.ModifiedAccessConditions = &azblobblob.ModifiedAccessConditions{}
					}
					az.AccessConditions.ModifiedAccessConditions.IfMatch = &etag
				}
				return nil
			},
		})
		if isCode(err, gcerrors.FailedPrecondition) || isCode(err, gcerrors.NotFound) || httpStatus(err) == http.StatusRequestedRangeNotSatisfiable {
			continue // replaced, removed or shrunk since the attributes were read
		}
		if err != nil {
			return nil, backend.ObjectInfo{}, wrap("get", key, err)
		}
		if r.Size() != attrs.Size || !r.ModTime().Equal(attrs.ModTime) && !r.ModTime().IsZero() {
			r.Close()
			continue
		}
		return &rangeReader{r: r, key: key, left: n}, info, nil
	}
	return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrServerBusy,
		fmt.Errorf("gocloud: the object was replaced during each of %d attempts to read it", getAttempts))
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
	attrs, err := b.bucket.Attributes(ctx, b.opts.keys.Encode(key))
	if err != nil {
		return backend.ObjectInfo{}, wrap("stat", key, err)
	}
	return infoOf(key, attrs), nil
}

// infoOf converts gocloud attributes. The ETag loses the quotes HTTP puts
// around it; empty metadata is nil, as NormalizeMetadata returns it.
func infoOf(key string, a *blob.Attributes) backend.ObjectInfo {
	info := backend.ObjectInfo{
		Key:          key,
		Size:         a.Size,
		LastModified: a.ModTime,
		ETag:         strings.Trim(a.ETag, `"`),
		ContentType:  a.ContentType,
	}
	if len(a.Metadata) > 0 {
		info.Metadata = make(map[string]string, len(a.Metadata))
		for k, v := range a.Metadata {
			info.Metadata[k] = v
		}
	}
	return info
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

// rangeReader delivers exactly the bytes of the requested range: a
// transfer that ends early is an error (ErrUnavailable, wrapping
// io.ErrUnexpectedEOF), never a short read that ends in a clean io.EOF.
// Errors are *backend.Error values.
type rangeReader struct {
	r    *blob.Reader
	key  string
	left int64
	err  error // sticky
}

func (g *rangeReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.left <= 0 {
		// Read the underlying reader to its end, so that a driver's
		// end-of-object checks run and extra bytes are noticed.
		var one [1]byte
		n, err := g.r.Read(one[:])
		switch {
		case n > 0:
			g.err = backend.NewError("get", g.key, backend.ErrUnavailable, errors.New("the store sent more bytes than the range holds"))
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
