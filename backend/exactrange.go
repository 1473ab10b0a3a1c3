package backend

import (
	"errors"
	"fmt"
	"io"
)

// ExactRange returns the reader a driver's Get hands to its caller for a
// range of length bytes (as ResolveRange gives it, >= 0) that body, the
// store's answer, delivers. It keeps the Get contract that a broken
// transfer is an error, never short data that ends in a clean io.EOF:
//
//   - a body that ends before length bytes fails with ErrUnavailable
//     wrapping io.ErrUnexpectedEOF, and one that holds more than length
//     bytes fails with ErrUnavailable (the store answered another range);
//   - the byte count and the check for extra bytes are ExactReader's, so
//     body is read to its end in the Read that delivers the last byte:
//     checks a store library makes when its body ends (the CRC32C of a
//     whole-object read from GCS) run before the caller sees io.EOF;
//   - an error of body, from Read or Close, is returned as
//     classify.Error("get", key, err): an *Error whose Kind is the
//     driver's mapping of its native error, with err reachable by
//     errors.As;
//   - after the first error or io.EOF every Read returns it again.
//
// Close closes body. Like the reader of a Get, the result is for one
// goroutine at a time.
func ExactRange(key string, body io.ReadCloser, length int64, classify Classifier) io.ReadCloser {
	return &exactRange{
		key:      key,
		body:     body,
		exact:    ExactReader(key, bodyReader{body}, max(length, 0)),
		length:   max(length, 0),
		classify: classify,
	}
}

type exactRange struct {
	key      string
	body     io.Closer
	exact    io.Reader // ExactReader over bodyReader{body}
	length   int64
	classify Classifier
	err      error // sticky: the first error, or io.EOF
}

func (r *exactRange) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.exact.Read(p)
	if err != nil {
		r.err = r.getError(err)
	}
	return n, r.err
}

// getError turns an error of the ExactReader into the error of a Get:
// an error of body (marked by bodyReader) is classified by the driver,
// and anything else is ExactReader's own verdict on the byte count, an
// *Error made for a put, whose cause is kept under the Kind a broken
// download has.
func (r *exactRange) getError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var be bodyError
	if errors.As(err, &be) {
		return r.classify.Error("get", r.key, be.err)
	}
	cause := err
	var sizeErr *Error
	if errors.As(err, &sizeErr) && sizeErr.Err != nil {
		cause = sizeErr.Err
	}
	return NewError("get", r.key, ErrUnavailable, fmt.Errorf("the answer to a range of %d bytes: %w", r.length, cause))
}

func (r *exactRange) Close() error {
	if err := r.body.Close(); err != nil {
		return r.classify.Error("get", r.key, err)
	}
	return nil
}

// bodyReader marks the errors of body, so that exactRange can tell them
// from the errors ExactReader makes about the byte count.
type bodyReader struct{ r io.Reader }

type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}
