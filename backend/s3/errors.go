package s3

import (
	"errors"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/objstore-dev/objstore/backend"
)

// wrapErr turns an error of the SDK into the *backend.Error of op on key:
// its Kind is the sentinel of kindOf, and the SDK error stays reachable
// with errors.As (smithy.APIError, *awshttp.ResponseError, *net.OpError,
// ...). A busy answer's Retry-After header becomes its RetryAfter.
func wrapErr(op, key string, err error) error {
	e := backend.NewError(op, key, kindOf(err), err)
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.ResponseError != nil && respErr.Response != nil && respErr.Response.Response != nil {
		e = e.WithRetryAfter(respErr.Response.Header)
	}
	return e
}

// kindOf classifies an SDK error: first by the S3 error code (the most
// precise signal: a 400 can be a bad argument or a request timeout), then
// by the HTTP status, then as a network failure. nil means no sentinel
// fits (context cancellation, a local error).
func kindOf(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Kind != nil {
		return be.Kind
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if k := kindForCode(apiErr.ErrorCode()); k != nil {
			return k
		}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		if k := backend.KindForStatus(respErr.HTTPStatusCode()); k != nil {
			return k
		}
	}
	return backend.NetworkKind(err)
}

// kindForCode maps the S3 error codes whose meaning the HTTP status alone
// does not give (or gives wrongly: RequestTimeout and InvalidDigest are
// 400s; NoSuchUpload is a 404 that is not about the key).
func kindForCode(code string) error {
	switch code {
	case "NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchVersion", "NoSuchUpload":
		return backend.ErrNotFound
	case "PreconditionFailed":
		return backend.ErrExist
	case "ConditionalRequestConflict":
		// A 409 that S3 documents as "a conflicting operation occurred;
		// retry" (a concurrent conditional write or multipart completion
		// on the key): it says nothing about whether the key exists, and
		// a retry (a whole new put, multipart upload included) settles
		// it. Treated as a transient failure, like SlowDown.
		return backend.ErrServerBusy
	case "ObjectParentIsFile", "ExistingObjectIsDirectory":
		// versitygw's posix backend cannot hold "a" and "a/b" together;
		// the fs driver reports the same conflict as ErrExist.
		return backend.ErrExist
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled",
		"AccountProblem", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
		"RequestTimeTooSkewed", "InvalidSecurity", "Forbidden":
		return backend.ErrPermission
	case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling",
		"ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
		"RequestThrottled", "BandwidthLimitExceeded", "XMinioServerNotInitialized",
		"XMinioReadQuorum", "XMinioWriteQuorum":
		return backend.ErrServerBusy
	case "BadDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch":
		// The bytes that arrived differ from the bytes whose digest we
		// sent. The driver hashes the very buffer it sends, so this is
		// corruption on the way, and sending again is the cure: treated
		// as a transient failure although its status is 400.
		return backend.ErrServerBusy
	case "EntityTooLarge", "MaxMessageLengthExceeded":
		return backend.ErrTooLarge
	case "InvalidRange", "InvalidArgument", "InvalidRequest", "EntityTooSmall", "InvalidPart",
		"InvalidPartOrder", "MalformedXML", "InvalidDigest", "KeyTooLongError",
		"MetadataTooLarge", "InvalidBucketName", "IncompleteBody", "MissingContentLength",
		"InvalidObjectName":
		return backend.ErrInvalidArgument
	case "NotImplemented":
		return backend.ErrNotSupported
	}
	return nil
}
