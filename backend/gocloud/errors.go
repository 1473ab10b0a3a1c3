package gocloud

import (
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"gocloud.dev/gcerrors"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
)

// wrap turns an error of gocloud into a *backend.Error for op and key (the
// user's key, not the encoded name). The gocloud error, and through it the
// driver's native error (*azcore.ResponseError, ...), stays reachable with
// errors.As. A busy answer's Retry-After (or Azure's x-ms-retry-after-ms)
// becomes its RetryAfter.
func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return backend.NewError(op, key, classify(err), err).WithRetryAfter(httpHeader(err))
}

// httpHeader digs the headers of the answer out of the native errors of
// the gocloud drivers that carry them (Azure, GCS), or returns nil.
func httpHeader(err error) http.Header {
	var az *azcore.ResponseError
	if errors.As(err, &az) && az.RawResponse != nil {
		return az.RawResponse.Header
	}
	var g *googleapi.Error
	if errors.As(err, &g) {
		return g.Header
	}
	return nil
}

// classify maps a gocloud error to a sentinel, from its gcerrors code and,
// for the codes that say little (Unknown, Internal), from the HTTP status
// or the network error underneath. FailedPrecondition is ErrExist only for
// a create-only put, which Put decides; here it is an invalid argument.
func classify(err error) error {
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return backend.ErrNotFound
	case gcerrors.AlreadyExists:
		return backend.ErrExist
	case gcerrors.InvalidArgument, gcerrors.FailedPrecondition:
		return backend.ErrInvalidArgument
	case gcerrors.PermissionDenied:
		return backend.ErrPermission
	case gcerrors.Unimplemented:
		return backend.ErrNotSupported
	case gcerrors.ResourceExhausted:
		return backend.ErrServerBusy
	case gcerrors.Canceled:
		return nil
	}
	if status := httpStatus(err); status != 0 {
		if kind := backend.KindForStatus(status); kind != nil {
			return kind
		}
	}
	return backend.NetworkKind(err)
}

// httpStatus digs the HTTP status out of the native errors of the gocloud
// drivers that carry one (Azure, GCS, AWS), or returns 0.
func httpStatus(err error) int {
	var az *azcore.ResponseError
	if errors.As(err, &az) {
		return az.StatusCode
	}
	var g *googleapi.Error
	if errors.As(err, &g) {
		return g.Code
	}
	var aws interface{ HTTPStatusCode() int }
	if errors.As(err, &aws) {
		return aws.HTTPStatusCode()
	}
	return 0
}

// isCode reports whether gocloud gives err the code c.
func isCode(err error, c gcerrors.ErrorCode) bool {
	return err != nil && gcerrors.Code(err) == c
}
