package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/sameversion"
)

// Get needs two requests, the attributes (metadata, ETag) and the bytes,
// and returns them only when both belong to the same version of the
// object, so that info always describes the bytes: it reads the
// attributes, opens the range, and compares the generation the read
// answered with. When they differ (the object was replaced in between),
// it reads the attributes once more, which then usually match the read
// already open; otherwise sameversion.Get starts another round. The
// storage reader resumes a broken transfer pinned to the generation it
// started with, so the bytes of one Get never mix two versions.
//
// With preconditions (GetOptions.IfMatch, IfNoneMatch, IfModifiedSince)
// the round evaluates them on the attributes, with no body transferred
// when one fails, and pins the read to their generation, so that they
// hold for the bytes returned; a read of a generation replaced meanwhile
// starts another round.
//
// Pinning the read to the generation of the attributes instead would fail
// more often: in a bucket without object versioning a generation
// disappears as soon as it is replaced, so every overwrite between the
// two requests would cost a round.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return sameversion.Get(ctx, &b.guard, key, opts, b.getVersion)
}

// getVersion is one round of Get (a sameversion.Round).
func (b *Backend) getVersion(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, bool, error) {
	o := b.bucket.Object(key)
	attrs, err := o.Attrs(ctx)
	if err != nil {
		return nil, backend.ObjectInfo{}, false, wrap("get", key, err)
	}
	if opts.HasConditions() {
		// Evaluated on these attributes, and the read is pinned to
		// their generation (see Get): the conditions hold for the bytes.
		if err := backend.CheckConditions("get", key, infoOf(attrs), opts); err != nil {
			return nil, backend.ObjectInfo{}, false, err
		}
		o = o.Generation(attrs.Generation)
	}
	off, n, err := backend.ResolveRange(key, attrs.Size, opts)
	if err != nil {
		return nil, backend.ObjectInfo{}, false, err
	}
	if n == 0 {
		// An empty range needs no request (GCS answers 416 to a range
		// that starts at the end of the object).
		return io.NopCloser(strings.NewReader("")), infoOf(attrs), true, nil
	}
	length := opts.Length
	if length < 0 {
		length = -1 // to the end of whatever version the read finds
	}
	// The stored bytes, as they were put, never decoded: for an object
	// stored with a Content-Encoding, the read sends "Accept-Encoding:
	// gzip" (ReadCompressed), so that GCS does not transcode a gzip object
	// (send it decompressed, and whole whatever the range) and Go's HTTP
	// transport does not decompress it either.
	compressed := attrs.ContentEncoding != ""
	r, err := o.ReadCompressed(compressed).NewRangeReader(ctx, off, length)
	if errors.Is(err, storage.ErrObjectNotExist) || isStatus(err, http.StatusRequestedRangeNotSatisfiable) {
		return nil, backend.ObjectInfo{}, false, nil
	}
	if err != nil && compressed && strings.Contains(err.Error(), errJSONReadCompressed) {
		return nil, backend.ObjectInfo{}, false, backend.NewError("get", key, backend.ErrNotSupported, fmt.Errorf(
			"the object has Content-Encoding %q, and a client with JSON reads (storage.WithJSONReads) cannot read it "+
				"undecoded (google-cloud-go issue 7786): use a client with XML reads: %w", attrs.ContentEncoding, err))
	}
	if err != nil {
		return nil, backend.ObjectInfo{}, false, wrap("get", key, err)
	}
	if r.Attrs.Decompressed {
		// Decoded bytes are never returned. The read found a version
		// other than attrs describe (stored with gzip, read without
		// ReadCompressed): the next round reads it compressed.
		r.Close()
		if compressed {
			return nil, backend.ObjectInfo{}, false, backend.NewError("get", key, backend.ErrNotSupported,
				fmt.Errorf("the object has Content-Encoding %q, and the read was decompressed although it asked for the stored bytes", attrs.ContentEncoding))
		}
		return nil, backend.ObjectInfo{}, false, nil
	}
	if !sameVersion(attrs, r) && opts.HasConditions() {
		// Another metageneration of the pinned generation: its ETag is
		// another, evaluate again in a new round.
		r.Close()
		return nil, backend.ObjectInfo{}, false, nil
	}
	if !sameVersion(attrs, r) {
		if attrs, err = o.Attrs(ctx); err != nil || !sameVersion(attrs, r) {
			r.Close()
			if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
				return nil, backend.ObjectInfo{}, false, wrap("get", key, err)
			}
			return nil, backend.ObjectInfo{}, false, nil
		}
		if _, n, err = backend.ResolveRange(key, attrs.Size, opts); err != nil {
			r.Close()
			return nil, backend.ObjectInfo{}, false, err
		}
	}
	// ExactRange reads r to its end after the last byte of the range, so
	// that the library's CRC32C check of a whole-object read runs before
	// the caller sees io.EOF; its mismatch is ErrCorrupt (classifyRead).
	return backend.ExactRange(key, r, n, classifyRead), infoOf(attrs), true, nil
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

// errJSONReadCompressed is the error of the storage library's JSON reads
// when asked to read compressed: its HTTP layer refuses the Accept-Encoding
// header that ReadCompressed sets.
const errJSONReadCompressed = "custom Accept-Encoding headers not allowed"

// isStatus reports whether err is a *googleapi.Error with the status.
func isStatus(err error, status int) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == status
}

// Stat returns the attributes of the object.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := b.guard.Key(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	attrs, err := b.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return backend.ObjectInfo{}, wrap("stat", key, err)
	}
	return infoOf(attrs), nil
}
