package minio

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// answerOf is the adapter from minio-go's errors to the shared mapping
// (internal/s3core): the code and status of a minio.ErrorResponse, and the
// headers of a busy answer, which minio-go drops and retryAfterTransport
// keeps (retryafter.go).
func answerOf(err error) s3core.Answer {
	var a s3core.Answer
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		a.Code, a.Status = er.Code, er.StatusCode
	}
	var busy *busyAnswer
	if errors.As(err, &busy) {
		a.Header = busy.header
	}
	return a
}

// kindOf returns the sentinel for a minio-go or transport error, or nil.
func kindOf(err error) error {
	if k := s3core.Kind(err, answerOf(err)); k != nil {
		return k
	}
	// minio-go replaces the io.EOF of a connection the server closed
	// before answering with an error of its own text.
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil && strings.Contains(ue.Err.Error(), "Connection closed by foreign host") {
		return backend.ErrUnavailable
	}
	return nil
}

// mapErr turns any error of an operation on key of bucket into a
// *backend.Error with the right sentinel; the native error stays reachable
// with errors.As. An error that already is a *backend.Error keeps its kind.
func mapErr(op, bucket, key string, err error) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) && be.Op == op && be.Key == key {
		return be
	}
	if errors.As(err, &be) && be.Kind != nil {
		return backend.NewError(op, key, be.Kind, err)
	}
	a := answerOf(err)
	if a.Code == "NoSuchBucket" {
		// A missing bucket is a configuration problem, not a missing
		// object: say so.
		err = fmt.Errorf("%w (bucket %q; create it, or open with create_bucket=true)", err, bucket)
	}
	return backend.NewError(op, key, kindOf(err), s3core.Explain(err, a)).WithRetryAfter(a.Header)
}
