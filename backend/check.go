package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	opts.Metadata, opts.ContentType = md, ct
	return opts, nil
}

// CheckGet validates the arguments of a Get before any I/O.
func CheckGet(key string, opts GetOptions) error {
	if err := ValidateKey("get", key); err != nil {
		return err
	}
	if opts.Offset < 0 {
		return NewError("get", key, ErrInvalidArgument, fmt.Errorf("offset %d is negative", opts.Offset))
	}
	return nil
}

// CheckList validates the options of a List before any I/O and fills in
// the default page size.
func CheckList(opts ListOptions) (ListOptions, error) {
	if err := ValidatePrefix("list", opts.Prefix); err != nil {
		return opts, err
	}
	if opts.PageSize < 0 {
		return opts, NewError("list", opts.Prefix, ErrInvalidArgument, fmt.Errorf("page size %d is negative", opts.PageSize))
	}
	if opts.PageSize == 0 || opts.PageSize > DefaultPageSize {
		opts.PageSize = DefaultPageSize
	}
	return opts, nil
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
