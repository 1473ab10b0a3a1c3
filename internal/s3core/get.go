package s3core

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/objstore-dev/objstore/backend"
)

// Reader is what the read engine (Get) needs of a driver.
type Reader interface {
	// GetObject sends one GET of key with req: the Range header when
	// req.Range is set, the preconditions of req.Conditions (If-Match,
	// If-None-Match, If-Modified-Since; backend.WireConditions made them),
	// x-amz-checksum-mode: ENABLED, and Accept-Encoding: identity (the
	// bytes as stored, whatever the object's Content-Encoding). It returns
	// the SDK's error as it is, for AnswerOf.
	GetObject(ctx context.Context, key string, req GetRequest) (GetAnswer, error)
	// Head is the driver's HEAD of key, its errors named op.
	Head(ctx context.Context, op, key string) (backend.ObjectInfo, error)
	// AnswerOf returns the status and the code of an SDK error.
	AnswerOf(err error) Answer
	// Kind is the driver's classification of its errors
	// (backend.Classifier), Err its *backend.Error of op on key.
	Kind(err error) error
	Err(op, key string, err error) error
}

// GetRequest is what one GET asks for.
type GetRequest struct {
	Range      string             // RangeHeader's, "" for the whole object
	Conditions backend.GetOptions // only the preconditions count
}

// GetAnswer is the answer to a GET.
type GetAnswer struct {
	Body io.ReadCloser
	// Info of the object, from the answer's headers; its Size is the
	// Content-Length, -1 when absent.
	Info         backend.ObjectInfo
	ContentRange string // "" when absent
}

// Get reads the range of opts (checked by backend.CheckGet) of the
// object at key with one GET through r.
//
// A zero Length needs no body: Get then only stats the object (to report
// ErrNotFound, or ErrInvalidArgument for an offset past the end). S3
// answers 416 for a range that starts at the end of the object; Get then
// stats the object to tell "at the end" (an empty reader) from "past the
// end" (EmptyRange).
//
// The preconditions are sent with the GET, so the server evaluates them
// on the version it serves: 412 is ErrPreconditionFailed, 304
// ErrNotModified, and no body comes. MinIO answers If-Modified-Since
// before If-Match, which HTTP puts first: a 304 to a GET with If-Match is
// checked with a HEAD. A server that ignored them is caught on the
// answer's headers (backend.CheckConditions).
//
// The reader delivers exactly the bytes of the range (backend.ExactRange:
// a body that ends early is ErrUnavailable, never a clean io.EOF). A
// range read carries no checksum (checksum.go); a server that ignored the
// Range and sent the whole object is read from the offset.
func Get(ctx context.Context, r Reader, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if opts.Length == 0 {
		return EmptyRange(ctx, key, opts, nil, r.Head)
	}
	wire := backend.WireConditions(opts)
	req := GetRequest{Range: RangeHeader(opts), Conditions: wire}
	ans, err := r.GetObject(ctx, key, req)
	if err != nil {
		a := r.AnswerOf(err)
		if req.Range != "" && a.RangeNotSatisfiable() {
			return EmptyRange(ctx, key, opts, err, r.Head)
		}
		return nil, backend.ObjectInfo{}, conditionErr(ctx, r, key, opts, a, err)
	}
	body := ans.Body
	fail := func(err error) (io.ReadCloser, backend.ObjectInfo, error) {
		body.Close()
		return nil, backend.ObjectInfo{}, err
	}
	info := ans.Info
	info.Key = key
	if req.Range != "" {
		info.Checksum = backend.Checksum{}
	}
	if wire.HasConditions() {
		if err := backend.CheckConditions("get", key, info, wire); err != nil {
			return fail(err)
		}
	}
	span, err := ReadSpan(key, opts, ans.ContentRange, info.Size)
	if err != nil {
		return fail(err)
	}
	if span.Size < 0 {
		// A whole object without Content-Length: its size from a HEAD of
		// the same version.
		st, err := r.Head(ctx, "get", key)
		switch {
		case err != nil:
			return fail(err)
		case !backend.ETagsEqual(st.ETag, info.ETag):
			return fail(backend.NewError("get", key, backend.ErrServerBusy, errors.New("the object changed while it was read; read it again")))
		}
		span.Size, span.Length = st.Size, st.Size
	}
	info.Size = span.Size
	if span.Skip > 0 {
		// The server ignored the Range and sent the whole object.
		if _, err := io.CopyN(io.Discard, body, span.Skip); err != nil {
			return fail(r.Err("get", key, err))
		}
	}
	return backend.ExactRange(key, body, span.Length, r.Kind), info, nil
}

// conditionErr is the error of a failed GET: with preconditions, 412 is
// ErrPreconditionFailed and 304 ErrNotModified (see Get); else the
// driver's classification.
func conditionErr(ctx context.Context, r Reader, key string, opts backend.GetOptions, a Answer, err error) error {
	if opts.HasConditions() {
		switch {
		case a.Status == http.StatusPreconditionFailed || a.Code == "PreconditionFailed":
			return backend.NewError("get", key, backend.ErrPreconditionFailed, err)
		case a.Status == http.StatusNotModified:
			if opts.IfMatch != "" {
				if info, serr := r.Head(ctx, "get", key); serr == nil && !backend.ETagsEqual(info.ETag, opts.IfMatch) {
					return backend.CheckConditions("get", key, info, opts)
				}
			}
			return backend.NewError("get", key, backend.ErrNotModified, err)
		}
	}
	return r.Err("get", key, err)
}
