package minio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// codeKinds maps S3 and MinIO error codes to sentinels where the code says
// more than the HTTP status (or where there is no status, as in the
// per-key results of a multi-object delete).
var codeKinds = map[string]error{
	"NoSuchKey":                     backend.ErrNotFound,
	"NoSuchBucket":                  backend.ErrNotFound,
	"NoSuchUpload":                  backend.ErrNotFound,
	"PreconditionFailed":            backend.ErrExist,
	"AccessDenied":                  backend.ErrPermission,
	"InvalidAccessKeyId":            backend.ErrPermission,
	"SignatureDoesNotMatch":         backend.ErrPermission,
	"ExpiredToken":                  backend.ErrPermission,
	"InvalidToken":                  backend.ErrPermission,
	"XMinioInvalidObjectName":       backend.ErrInvalidKey,
	"XMinioInvalidResourceName":     backend.ErrInvalidKey,
	"KeyTooLongError":               backend.ErrInvalidKey,
	"InvalidObjectName":             backend.ErrInvalidKey,
	"InvalidRange":                  backend.ErrInvalidArgument,
	"InvalidArgument":               backend.ErrInvalidArgument,
	"MetadataTooLarge":              backend.ErrInvalidArgument,
	"EntityTooLarge":                backend.ErrTooLarge,
	"XMinioStorageFull":             backend.ErrTooLarge,
	"NotImplemented":                backend.ErrNotSupported,
	"SlowDown":                      backend.ErrServerBusy,
	"SlowDownRead":                  backend.ErrServerBusy,
	"SlowDownWrite":                 backend.ErrServerBusy,
	"InternalError":                 backend.ErrServerBusy,
	"ServiceUnavailable":            backend.ErrServerBusy,
	"RequestTimeout":                backend.ErrServerBusy,
	"XMinioServerNotInitialized":    backend.ErrServerBusy,
	"XMinioReadQuorum":              backend.ErrServerBusy,
	"XMinioWriteQuorum":             backend.ErrServerBusy,
	"XMinioInsufficientReadQuorum":  backend.ErrServerBusy,
	"XMinioInsufficientWriteQuorum": backend.ErrServerBusy,
}

// kindOf returns the sentinel for a minio-go or transport error, or nil.
func kindOf(err error) error {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		if k, ok := codeKinds[er.Code]; ok {
			return k
		}
		if k := backend.KindForStatus(er.StatusCode); k != nil {
			return k
		}
	}
	if k := backend.NetworkKind(err); k != nil {
		return k
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return backend.ErrUnavailable // a response cut short on the wire
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
	var er minio.ErrorResponse
	if errors.As(err, &er) && er.Code == "NoSuchBucket" {
		// A missing bucket is a configuration problem, not a missing
		// object: say so.
		err = fmt.Errorf("%w (bucket %q; create it, or open with create_bucket=true)", err, bucket)
	}
	if errors.Is(err, context.Canceled) {
		return backend.NewError(op, key, nil, err)
	}
	e := backend.NewError(op, key, kindOf(err), err)
	var busy *busyAnswer
	if errors.As(err, &busy) && e.Kind == backend.ErrServerBusy {
		e.RetryAfter = busy.retryAfter // kept by retryAfterTransport
	}
	return e
}
