package s3

import (
	"errors"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// wrapErr turns an error of the SDK into the *backend.Error of op on key:
// its Kind is the sentinel of kindOf, and the SDK error stays reachable
// with errors.As (smithy.APIError, *awshttp.ResponseError, *net.OpError,
// ...). A busy answer's Retry-After header becomes its RetryAfter.
func wrapErr(op, key string, err error) error {
	a := answerOf(err)
	return backend.NewError(op, key, s3core.Kind(err, a), s3core.Explain(err, a)).WithRetryAfter(a.Header)
}

// kindOf classifies an SDK error with the mapping shared with the MinIO
// driver (s3core.Kind: the S3 error code, then the HTTP status, then the
// network failure). nil means no sentinel fits (context cancellation, a
// local error).
func kindOf(err error) error { return s3core.Kind(err, answerOf(err)) }

// answerOf is the adapter from the SDK's errors to s3core: the code of a
// smithy.APIError, the status and headers of an *awshttp.ResponseError.
func answerOf(err error) s3core.Answer {
	var a s3core.Answer
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		a.Code = apiErr.ErrorCode()
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.ResponseError != nil && respErr.Response != nil && respErr.Response.Response != nil {
		a.Status, a.Header = respErr.Response.StatusCode, respErr.Response.Header
	}
	return a
}
