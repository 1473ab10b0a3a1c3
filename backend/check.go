package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckPut validates the arguments of a Put before any I/O and returns the
// options as they must be stored: metadata normalised (NormalizeMetadata)
// and content type defaulted (NormalizeContentType). Every driver calls it
// first in Put.
func CheckPut(key string, r io.Reader, opts PutOptions) (PutOptions, error) {
	const op = "put"
	if err := ValidateKey(op, key); err != nil {
		return opts, err
	}
	if r == nil {
		return opts, NewError(op, key, ErrInvalidArgument, errors.New("reader is nil"))
	}
	if opts.Size < -1 {
		return opts, NewError(op, key, ErrInvalidArgument, fmt.Errorf("size %d is negative (use -1 for unknown)", opts.Size))
	}
	md, err := NormalizeMetadata(op, key, opts.Metadata)
	if err != nil {
		return opts, err
	}
	ct, err := NormalizeContentType(op, key, opts.ContentType)
	if err != nil {
		return opts, err
	}
	if err := CheckHTTPAttributes(op, key, opts.HTTPAttributes); err != nil {
		return opts, err
	}
	if opts.IfMatch != "" {
		if opts.IfNotExist {
			return opts, NewError(op, key, ErrInvalidArgument, errors.New("IfMatch and IfNotExist exclude each other (an object cannot both have an ETag and not exist)"))
		}
		if err := checkETag(op, key, "IfMatch", opts.IfMatch); err != nil {
			return opts, err
		}
	}
	opts.Metadata, opts.ContentType = md, ct
	return opts, nil
}

// checkETag refuses an ETag precondition that cannot be sent as one
// entity tag in a header: "*" (which means "any" to HTTP servers and
// nothing to mem and fs), quotes inside, control characters, or more than
// 1024 bytes.
func checkETag(op, key, field, etag string) error {
	t := strings.TrimPrefix(etag, "W/")
	t = strings.TrimSuffix(strings.TrimPrefix(t, `"`), `"`)
	switch {
	case t == "*":
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("%s %q: \"*\" is not supported; give an ETag", field, etag))
	case t == "" || len(etag) > 1024 || strings.ContainsAny(t, `"\`) ||
		strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) || !utf8.ValidString(t):
		return NewError(op, key, ErrInvalidArgument, fmt.Errorf("%s %q is not an ETag", field, etag))
	}
	return nil
}

// ETagsEqual reports whether two ETags name the same version: they are
// compared without the quotes HTTP puts around them (and a weak
// validator's W/ prefix), byte for byte.
func ETagsEqual(a, b string) bool {
	return a != "" && b != "" && bareETag(a) == bareETag(b)
}

func bareETag(e string) string {
	e = strings.TrimPrefix(e, "W/")
	return strings.TrimSuffix(strings.TrimPrefix(e, `"`), `"`)
}

// QuoteETag returns etag as an HTTP entity tag: in double quotes.
func QuoteETag(etag string) string { return `"` + bareETag(etag) + `"` }

// CheckIfMatch evaluates PutOptions.IfMatch against the current version
// of the object (exists false: there is none), for a driver that makes
// the check and the write one atomic step itself (mem, fs under a lock):
// nil when the put may go on, else ErrPreconditionFailed.
func CheckIfMatch(key, ifMatch string, current ObjectInfo, exists bool) error {
	switch {
	case ifMatch == "":
		return nil
	case !exists:
		return NewError("put", key, ErrPreconditionFailed, fmt.Errorf("IfMatch %q: the key holds no object", ifMatch))
	case !ETagsEqual(current.ETag, ifMatch):
		return NewError("put", key, ErrPreconditionFailed, fmt.Errorf("IfMatch %q: the object's ETag is %q", ifMatch, current.ETag))
	}
	return nil
}

// WireConditions returns the preconditions of opts that a driver sends
// to an HTTP store, so that the store's answer does not depend on the
// order in which it evaluates them (MinIO checks If-None-Match and
// If-Modified-Since before If-Match, HTTP the other way round):
// IfNoneMatch is dropped when IfMatch names another ETag (a version that
// passes IfMatch then always passes IfNoneMatch), and IfModifiedSince
// when IfNoneMatch is set (HTTP ignores it then). One order dependency
// is left, IfMatch with IfModifiedSince: a driver that gets "not
// modified" for them checks IfMatch (see GetOptions).
func WireConditions(opts GetOptions) GetOptions {
	if opts.IfMatch != "" && opts.IfNoneMatch != "" && !ETagsEqual(opts.IfMatch, opts.IfNoneMatch) {
		opts.IfNoneMatch = ""
	}
	if opts.IfNoneMatch != "" {
		opts.IfModifiedSince = time.Time{}
	}
	return opts
}

// CheckConditions evaluates the preconditions of a Get (see GetOptions)
// against info, the version whose bytes the Get would return, in HTTP's
// order: nil when the Get may return the bytes, else ErrPreconditionFailed
// or ErrNotModified for op and key. Drivers whose store cannot evaluate
// them call it with the info of the very answer that carries the bytes
// (or with a version the read is then pinned to), never with an earlier
// Stat's.
func CheckConditions(op, key string, info ObjectInfo, opts GetOptions) error {
	if opts.IfMatch != "" && !ETagsEqual(info.ETag, opts.IfMatch) {
		return NewError(op, key, ErrPreconditionFailed, fmt.Errorf("IfMatch %q: the object's ETag is %q", opts.IfMatch, info.ETag))
	}
	if opts.IfNoneMatch != "" {
		if ETagsEqual(info.ETag, opts.IfNoneMatch) {
			return NewError(op, key, ErrNotModified, fmt.Errorf("IfNoneMatch %q: the object's ETag is that", opts.IfNoneMatch))
		}
		return nil
	}
	if ims := opts.IfModifiedSince; !ims.IsZero() && !info.LastModified.Truncate(time.Second).After(ims.Truncate(time.Second)) {
		return NewError(op, key, ErrNotModified, fmt.Errorf("IfModifiedSince %s: last modified %s",
			ims.UTC().Format(time.RFC3339), info.LastModified.UTC().Format(time.RFC3339)))
	}
	return nil
}

// CheckGet validates the arguments of a Get before any I/O.
func CheckGet(key string, opts GetOptions) error {
	if err := ValidateKey("get", key); err != nil {
		return err
	}
	if opts.Offset < 0 {
		return NewError("get", key, ErrInvalidArgument, fmt.Errorf("offset %d is negative", opts.Offset))
	}
	if opts.IfMatch != "" {
		if err := checkETag("get", key, "IfMatch", opts.IfMatch); err != nil {
			return err
		}
	}
	if opts.IfNoneMatch != "" {
		if err := checkETag("get", key, "IfNoneMatch", opts.IfNoneMatch); err != nil {
			return err
		}
	}
	return nil
}

// CheckList validates the options of a List before any I/O and fills in
// the default page size. A delimiter other than "" and "/" is
// ErrInvalidArgument; StartAfter is held to the rules of a prefix
// (ValidatePrefix) and is cleared when a Token is given (the token wins).
func CheckList(opts ListOptions) (ListOptions, error) {
	if err := ValidatePrefix("list", opts.Prefix); err != nil {
		return opts, err
	}
	if opts.Delimiter != "" && opts.Delimiter != Delimiter {
		return opts, NewError("list", opts.Prefix, ErrInvalidArgument,
			fmt.Errorf("delimiter %q is not supported (only %q, or none)", opts.Delimiter, Delimiter))
	}
	if err := ValidatePrefix("list", opts.StartAfter); err != nil {
		return opts, err
	}
	if opts.Token != "" || (opts.StartAfter < opts.Prefix && !strings.HasPrefix(opts.StartAfter, opts.Prefix)) {
		// The token wins; a StartAfter below every key with the prefix
		// changes nothing (and servers refuse a marker outside the prefix).
		opts.StartAfter = ""
	}
	if opts.PageSize < 0 {
		return opts, NewError("list", opts.Prefix, ErrInvalidArgument, fmt.Errorf("page size %d is negative", opts.PageSize))
	}
	if opts.PageSize == 0 || opts.PageSize > DefaultPageSize {
		opts.PageSize = DefaultPageSize
	}
	return opts, nil
}

// PastPrefix reports whether opts.StartAfter sorts after every key that
// starts with opts.Prefix, so that the listing is empty without a
// request (servers refuse such a marker, or list nothing for it).
func PastPrefix(opts ListOptions) bool {
	return opts.Token == "" && opts.StartAfter > opts.Prefix && !strings.HasPrefix(opts.StartAfter, opts.Prefix)
}

// ResolveRange turns a validated GetOptions into the offset and length to
// read from an object of the given size, following the Get contract: a
// start past the end is ErrInvalidArgument, a range past the end is cut.
func ResolveRange(key string, size int64, opts GetOptions) (offset, length int64, err error) {
	if opts.Offset > size {
		return 0, 0, NewError("get", key, ErrInvalidArgument,
			fmt.Errorf("offset %d is past the end of the object (size %d)", opts.Offset, size))
	}
	length = size - opts.Offset
	if opts.Length >= 0 && opts.Length < length {
		length = opts.Length
	}
	return opts.Offset, length, nil
}

// ExactReader returns a reader that delivers the bytes of r and fails,
// instead of ending cleanly, when r delivers fewer or more than size bytes
// (size < 0: no check). The check for extra bytes happens in the Read that
// delivers the last expected byte, so an uploader that stops reading at
// exactly size bytes still sees the error before it commits the object.
func ExactReader(key string, r io.Reader, size int64) io.Reader {
	if size < 0 {
		return r
	}
	return &exactReader{key: key, r: r, left: size, size: size}
}

type exactReader struct {
	key        string
	r          io.Reader
	left, size int64
	err        error // sticky: io.ReadFull drops an error that comes with the last byte
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func (e *exactReader) read(p []byte) (int, error) {
	if e.left <= 0 {
		if err := e.probe(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case err == io.EOF && e.left > 0:
		return n, NewError("put", e.key, ErrInvalidArgument,
			fmt.Errorf("reader ended after %d of %d bytes: %w", e.size-e.left, e.size, io.ErrUnexpectedEOF))
	case err != nil && err != io.EOF:
		return n, err
	case e.left == 0:
		if perr := e.probe(); perr != nil {
			return n, perr
		}
		return n, io.EOF
	}
	return n, nil
}

// probe reads one more byte to make sure r is at its end.
func (e *exactReader) probe() error {
	var one [1]byte
	for {
		n, err := e.r.Read(one[:])
		if n > 0 {
			return NewError("put", e.key, ErrInvalidArgument,
				fmt.Errorf("reader delivered more than the declared size of %d bytes", e.size))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ContextReader returns a reader that fails with ctx's error once ctx
// ends, so that a copy from a slow or endless reader stops promptly.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return contextReader{ctx, r}
}

type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
