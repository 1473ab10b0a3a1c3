package s3core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Adapter is everything a driver speaking S3 gives the engines: the
// requests of a put, a copy, a read, a listing and its bucket in its SDK,
// the signing of a URL (and, on servers that need it, the questions of
// the conflict check: Prober).
type Adapter interface {
	Copier
	SectionUploader
	SectionPutter
	Reader
	Lister
	Buckets
	// PresignURL signs a URL for one request of method on key (checked by
	// backend.CheckPresign), its errors named op; a non-empty contentType
	// is a signed header of a PUT.
	PresignURL(ctx context.Context, op, method, key string, expiry time.Duration, contentType string) (string, error)
	// DeleteObject removes key; a missing key is nil.
	DeleteObject(ctx context.Context, key string) error
	// DeleteObjects removes up to MaxDeleteKeys keys with one request: the
	// *backend.Error of every key not removed (a missing key is removed),
	// and the error of the request when it failed as a whole (then every
	// key it did not report as removed is among the per-key errors).
	DeleteObjects(ctx context.Context, keys []string) (perKey []error, fatal error)
}

// MaxDeleteKeys is the most keys one multi-object delete names (S3's
// limit).
const MaxDeleteKeys = 1000

// MaxPresignExpiry is the longest validity of a presigned URL (SigV4).
const MaxPresignExpiry = 7 * 24 * time.Hour

// Methods are the backend.Backend methods Put, Get, Stat and List and the
// backend.Copier and backend.Composer methods, the same for every driver
// speaking S3: the argument checks, then the driver's guard (closed
// state, ended context), then the engines over the driver's adapter. A
// driver embeds the value NewMethods returns.
type Methods struct {
	engine *Engine
	guard  *backend.Guard
	a      Adapter
}

// NewMethods returns the methods over e, guard and a.
func NewMethods(e *Engine, guard *backend.Guard, a Adapter) Methods {
	return Methods{engine: e, guard: guard, a: a}
}

// MaxObjectSize is S3's limit on the size of an object (5 TiB).
const MaxObjectSize = 5 << 40

// Put stores r under key with the upload engine (upload.go).
func (m Methods) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := m.guard.Put(ctx, key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if opts.Size > MaxObjectSize {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrTooLarge,
			fmt.Errorf("size %d is more than S3's limit of 5 TiB", opts.Size))
	}
	return m.engine.Put(ctx, m.a, key, r, opts)
}

// Get reads a range of the object at key with the read engine (get.go).
func (m Methods) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := m.guard.Get(ctx, key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	return Get(ctx, m.a, key, opts)
}

// Stat returns the info of the object at key (one HEAD).
func (m Methods) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := m.guard.Key(ctx, "stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return m.a.Head(ctx, "stat", key)
}

// Copy copies src to dst inside the store with the copy engine (copy.go).
func (m Methods) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckCopy(dst, src, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := m.guard.Ready(ctx, "copy", dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	return m.engine.Copy(ctx, m.a, dst, src, opts)
}

// Compose concatenates srcs into dst with the copy engine (copy.go).
func (m Methods) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	ct, md, err := backend.CheckCompose(dst, srcs, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := m.guard.Ready(ctx, "compose", dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	return m.engine.Compose(ctx, m.a, dst, srcs, ct, md)
}

// Presign returns a URL that lets its holder make one GET, HEAD, PUT or
// DELETE request on the object at key, with no credentials, until expiry
// (1 second to 7 days) passes. The URL carries the access key id and a
// SigV4 signature of the method, the path and the signed headers, never
// the secret key. With opts.ContentType, a PUT must send exactly that
// Content-Type (the header is signed). A PUT through the URL is a plain
// PutObject: no metadata, at most 5 GiB. The object need not exist.
func (m Methods) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if err := backend.CheckPresign(method, key, expiry, MaxPresignExpiry, opts); err != nil {
		return "", err
	}
	op := backend.PresignOp(method)
	if err := m.guard.Ready(ctx, op, key); err != nil {
		return "", err
	}
	return m.a.PresignURL(ctx, op, method, key, expiry, opts.ContentType)
}

// List returns one page of a listing with the listing engine (list.go).
func (m Methods) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := m.guard.List(ctx, opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	return List(ctx, m.a, opts)
}

// Remove deletes the object at key; a missing key is nil.
func (m Methods) Remove(ctx context.Context, key string) error {
	if err := m.guard.Key(ctx, "remove", key); err != nil {
		return err
	}
	return m.a.DeleteObject(ctx, key)
}

// RemoveMany removes keys with multi-object deletes of up to
// MaxDeleteKeys keys. Every key is checked by backend.CheckRemoveKeys
// first; the keys of a listing (backend.WithListedKeys) are sent as they
// are, folder markers ("photos/") included. Missing keys are not errors.
// The error joins one *backend.Error per key that was not removed: those
// CheckRemoveKeys refused, those the server refused, and, when a request
// fails as a whole, every key of it and of the requests not made after
// it (so that a caller may retry exactly those).
func (m Methods) RemoveMany(ctx context.Context, keys []string) error {
	if err := m.guard.Ready(ctx, "remove", ""); err != nil {
		return err
	}
	keys, errs := backend.CheckRemoveKeys(ctx, keys)
	for start := 0; start < len(keys); start += MaxDeleteKeys {
		end := min(start+MaxDeleteKeys, len(keys))
		fatal := ctx.Err()
		if fatal != nil {
			end = start // nothing of this batch was sent
		} else {
			var perKey []error // the batch reports its own keys
			perKey, fatal = m.a.DeleteObjects(ctx, keys[start:end])
			errs = append(errs, perKey...)
		}
		if fatal != nil {
			cause := fmt.Errorf("not attempted: an earlier request failed: %w", fatal)
			for _, k := range keys[end:] {
				errs = append(errs, m.a.Err("remove", k, cause))
			}
			break
		}
	}
	return errors.Join(errs...)
}
