// Package gocloudtest adapts an objstore backend.Backend to gocloud.dev's
// driver.Bucket, so that gocloud.dev/blob/drivertest (gocloud's own
// conformance suite) can be run against objstore's drivers and hold them
// to the contract gocloud users expect (docs/conformance.md, "gocloud's
// own suite").
//
// The adapter is thin on purpose: every check and every answer is the
// backend's, and a failure of drivertest is a difference between the two
// contracts, not a bug of the adapter. What it adds is only what the two
// vocabularies need to meet: gocloud's error codes from objstore's
// sentinels (ErrorCode), quoted ETags, merged object and prefix entries in
// a page, and a Delete that reports a missing key (objstore's Remove of a
// missing key succeeds; gocloud's Delete must fail with NotFound).
//
// The package is internal and only its tests import drivertest: neither
// the adapter nor gocloud's test suite is part of objstore's API.
package gocloudtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"

	"gocloud.dev/blob/driver"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

var _ driver.Bucket = (*Bucket)(nil)

// Bucket is a driver.Bucket over a backend.Backend.
type Bucket struct {
	be backend.Backend
}

// New returns a driver.Bucket over be. Its Close closes be.
func New(be backend.Backend) *Bucket { return &Bucket{be: be} }

// noAs is the asFunc of every callback and result: the adapter exposes no
// driver-specific types.
func noAs(any) bool { return false }

// ErrorCode maps the sentinel an error wraps to gocloud's code. gocloud
// has no code for a store that cannot be reached, for a corrupt object or
// for a 304, so those are Internal, Internal and FailedPrecondition.
func (b *Bucket) ErrorCode(err error) gcerrors.ErrorCode {
	switch {
	case errors.Is(err, backend.ErrNotFound):
		return gcerrors.NotFound
	case errors.Is(err, backend.ErrExist),
		errors.Is(err, backend.ErrPreconditionFailed),
		errors.Is(err, backend.ErrNotModified),
		errors.Is(err, backend.ErrClosed):
		// gocloud's IfNotExist writes fail with FailedPrecondition.
		return gcerrors.FailedPrecondition
	case errors.Is(err, backend.ErrInvalidKey), errors.Is(err, backend.ErrInvalidArgument):
		return gcerrors.InvalidArgument
	case errors.Is(err, backend.ErrNotSupported):
		return gcerrors.Unimplemented
	case errors.Is(err, backend.ErrPermission):
		return gcerrors.PermissionDenied
	case errors.Is(err, backend.ErrTooLarge), errors.Is(err, backend.ErrServerBusy):
		return gcerrors.ResourceExhausted
	case errors.Is(err, backend.ErrUnavailable), errors.Is(err, backend.ErrCorrupt):
		return gcerrors.Internal
	case errors.Is(err, context.Canceled):
		return gcerrors.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return gcerrors.DeadlineExceeded
	}
	return gcerrors.Unknown
}

// As exposes no driver-specific type.
func (b *Bucket) As(any) bool { return false }

// ErrorAs finds target in err's chain (errors.As): *backend.Error and the
// native error of the driver's SDK are reachable.
func (b *Bucket) ErrorAs(err error, target any) bool { return errors.As(err, target) }

// Attributes is the backend's Stat. MD5 is set only when the store keeps
// an MD5 checksum of the object; the ETag is quoted as HTTP sends it.
func (b *Bucket) Attributes(ctx context.Context, key string) (*driver.Attributes, error) {
	info, err := b.be.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	return &driver.Attributes{
		CacheControl:       info.CacheControl,
		ContentDisposition: info.ContentDisposition,
		ContentEncoding:    info.ContentEncoding,
		ContentLanguage:    info.ContentLanguage,
		ContentType:        info.ContentType,
		Metadata:           maps.Clone(info.Metadata),
		ModTime:            info.LastModified,
		Size:               info.Size,
		MD5:                md5Of(info),
		ETag:               backend.QuoteETag(info.ETag),
		AsFunc:             noAs,
	}, nil
}

// md5Of is the MD5 digest the store keeps with the object, or nil.
func md5Of(info backend.ObjectInfo) []byte {
	if info.Checksum.Algorithm != backend.MD5 || info.Checksum.IsZero() {
		return nil
	}
	return append([]byte(nil), info.Checksum.Value...)
}

// ListPaged lists one backend page. A Delimiter other than "" and "/" is
// the backend's to refuse (ErrInvalidArgument): objstore lists one level
// by "/" only. The page's objects and prefixes are merged in key order,
// prefixes as IsDir entries. A PageSize above backend.DefaultPageSize is
// lowered to it (a page may hold fewer entries than asked).
func (b *Bucket) ListPaged(ctx context.Context, opts *driver.ListOptions) (*driver.ListPage, error) {
	if opts.BeforeList != nil {
		if err := opts.BeforeList(noAs); err != nil {
			return nil, err
		}
	}
	lo := backend.ListOptions{
		Prefix:    opts.Prefix,
		Delimiter: opts.Delimiter,
		PageSize:  min(opts.PageSize, backend.DefaultPageSize),
		Token:     string(opts.PageToken),
	}
	page, err := b.be.List(ctx, lo)
	if err != nil {
		return nil, err
	}
	out := &driver.ListPage{Objects: make([]*driver.ListObject, 0, len(page.Objects)+len(page.Prefixes))}
	objs, dirs := page.Objects, page.Prefixes
	for len(objs) > 0 || len(dirs) > 0 {
		if len(dirs) > 0 && (len(objs) == 0 || dirs[0] < objs[0].Key) {
			out.Objects = append(out.Objects, &driver.ListObject{Key: dirs[0], IsDir: true, AsFunc: noAs})
			dirs = dirs[1:]
			continue
		}
		o := objs[0]
		objs = objs[1:]
		out.Objects = append(out.Objects, &driver.ListObject{
			Key: o.Key, ModTime: o.LastModified, Size: o.Size, MD5: md5Of(o), AsFunc: noAs,
		})
	}
	if page.NextToken != "" {
		out.NextPageToken = []byte(page.NextToken)
	}
	return out, nil
}

// NewRangeReader is the backend's Get of the range; a negative length
// reads to the end.
func (b *Bucket) NewRangeReader(ctx context.Context, key string, offset, length int64, opts *driver.ReaderOptions) (driver.Reader, error) {
	if opts.BeforeRead != nil {
		if err := opts.BeforeRead(noAs); err != nil {
			return nil, err
		}
	}
	if length < 0 {
		length = -1
	}
	rc, info, err := b.be.Get(ctx, key, backend.GetOptions{Offset: offset, Length: length})
	if err != nil {
		return nil, err
	}
	return &reader{ReadCloser: rc, attrs: driver.ReaderAttributes{
		ContentType: info.ContentType, ModTime: info.LastModified, Size: info.Size,
	}}, nil
}

type reader struct {
	io.ReadCloser
	attrs driver.ReaderAttributes
}

func (r *reader) Attributes() *driver.ReaderAttributes { return &r.attrs }
func (r *reader) As(any) bool                          { return false }

// NewTypedWriter starts the backend's Put of key, of unknown size, fed by
// the writer's Writes; Close ends the body and returns Put's result. A
// ctx cancelled before Close aborts the Put, which leaves the key as it
// was (the backend's contract). gocloud's portable type checks
// ContentMD5 itself (and cancels ctx when it does not match), so it is
// not sent: objstore's stores keep a checksum of their own.
func (b *Bucket) NewTypedWriter(ctx context.Context, key, contentType string, opts *driver.WriterOptions) (driver.Writer, error) {
	po := backend.PutOptions{
		Size:        -1,
		ContentType: contentType,
		Metadata:    opts.Metadata,
		HTTPAttributes: backend.HTTPAttributes{
			CacheControl:       opts.CacheControl,
			ContentDisposition: opts.ContentDisposition,
			ContentEncoding:    opts.ContentEncoding,
			ContentLanguage:    opts.ContentLanguage,
		},
		IfNotExist: opts.IfNotExist,
	}
	if opts.BeforeWrite != nil {
		if err := opts.BeforeWrite(noAs); err != nil {
			return nil, err
		}
	}
	pr, pw := io.Pipe()
	w := &writer{ctx: ctx, pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_, w.err = b.be.Put(ctx, key, pr, po)
		// A Put that ends early (a refused argument, a cancelled ctx)
		// stops the writer's Writes with its error.
		if w.err != nil {
			pr.CloseWithError(w.err)
		} else {
			pr.Close()
		}
	}()
	return w, nil
}

type writer struct {
	ctx  context.Context
	pw   *io.PipeWriter
	done chan struct{}
	err  error // Put's result, set before done is closed
}

func (w *writer) Write(p []byte) (int, error) { return w.pw.Write(p) }

// Close ends the body (with ctx's error if ctx is done, so that the Put
// fails instead of storing what it read) and waits for the Put.
func (w *writer) Close() error {
	if err := w.ctx.Err(); err != nil {
		w.pw.CloseWithError(err)
	} else {
		w.pw.Close()
	}
	<-w.done
	return w.err
}

// Copy is the backend's server-side copy (backend.Copier), keeping the
// source's content type, metadata and HTTP attributes. A backend without
// one answers Unimplemented (the harness then reports no Copy support).
func (b *Bucket) Copy(ctx context.Context, dstKey, srcKey string, opts *driver.CopyOptions) error {
	if opts.BeforeCopy != nil {
		if err := opts.BeforeCopy(noAs); err != nil {
			return err
		}
	}
	c, ok := backend.As[backend.Copier](b.be)
	if !ok {
		return backend.NewError("copy", dstKey, backend.ErrNotSupported, fmt.Errorf("%v has no server-side copy", b.be))
	}
	_, err := c.Copy(ctx, dstKey, srcKey, backend.CopyOptions{})
	return err
}

// Delete removes key, and fails with ErrNotFound when there is no object
// there: a Stat first, since objstore's Remove of a missing key succeeds.
// (So a Delete racing another one may succeed too; gocloud's contract
// cannot be met atomically over objstore's.)
func (b *Bucket) Delete(ctx context.Context, key string, opts *driver.DeleteOptions) error {
	if opts.BeforeDelete != nil {
		if err := opts.BeforeDelete(noAs); err != nil {
			return err
		}
	}
	if _, err := b.be.Stat(ctx, key); err != nil {
		return err
	}
	return b.be.Remove(ctx, key)
}

// SignedURL is the backend's Presign. objstore can bind a PUT's content
// type but not require its absence, so EnforceAbsentContentType is
// Unimplemented, as is a backend without a Presigner.
func (b *Bucket) SignedURL(ctx context.Context, key string, opts *driver.SignedURLOptions) (string, error) {
	op := backend.PresignOp(opts.Method)
	p, ok := backend.As[backend.Presigner](b.be)
	if !ok {
		return "", backend.NewError(op, key, backend.ErrNotSupported, fmt.Errorf("%v cannot presign", b.be))
	}
	if opts.EnforceAbsentContentType && opts.ContentType == "" {
		return "", backend.NewError(op, key, backend.ErrNotSupported, errors.New("a presigned PUT cannot require that no Content-Type is sent"))
	}
	if opts.BeforeSign != nil {
		if err := opts.BeforeSign(noAs); err != nil {
			return "", err
		}
	}
	method := opts.Method
	if method == "" {
		method = http.MethodGet
	}
	return p.Presign(ctx, method, key, opts.Expiry, backend.PresignOptions{ContentType: opts.ContentType})
}

// Close closes the backend.
func (b *Bucket) Close() error { return b.be.Close() }
