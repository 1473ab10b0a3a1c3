package gcs

import (
	"errors"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
)

// wrap turns an error of the storage library into a *backend.Error for op
// and key, with the sentinel classify finds; the native error stays
// reachable with errors.As. A busy answer's Retry-After header
// (googleapi.Error.Header) becomes its RetryAfter.
func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	e := backend.NewError(op, key, classify(err), err)
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		e = e.WithRetryAfter(gerr.Header)
	}
	return e
}

// classify maps an error of the storage library to a sentinel, or nil when
// none fits (the caller's own cancellation, for instance).
func classify(err error) error {
	if errors.Is(err, storage.ErrObjectNotExist) || errors.Is(err, storage.ErrBucketNotExist) {
		return backend.ErrNotFound
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		if kind := backend.KindForStatus(gerr.Code); kind != nil {
			return kind
		}
	}
	return backend.NetworkKind(err)
}
