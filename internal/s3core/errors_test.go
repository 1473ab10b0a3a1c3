package s3core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

func TestKindForCode(t *testing.T) {
	for _, c := range []struct {
		code string
		want error
	}{
		{"NoSuchKey", backend.ErrNotFound},
		{"NotFound", backend.ErrNotFound},
		{"NoSuchBucket", backend.ErrNotFound},
		{"NoSuchUpload", backend.ErrNotFound},
		{"PreconditionFailed", backend.ErrExist},
		{"ObjectParentIsFile", backend.ErrExist},
		{"AccessDenied", backend.ErrPermission},
		{"SignatureDoesNotMatch", backend.ErrPermission},
		{"RequestTimeTooSkewed", backend.ErrPermission},
		// The two drivers disagreed on these (minio: ErrInvalidKey, s3:
		// ErrInvalidArgument): the key is what the server refuses.
		{"KeyTooLongError", backend.ErrInvalidKey},
		{"InvalidObjectName", backend.ErrInvalidKey},
		{"XMinioInvalidObjectName", backend.ErrInvalidKey},
		{"InvalidRange", backend.ErrInvalidArgument},
		{"InvalidArgument", backend.ErrInvalidArgument},
		{"MetadataTooLarge", backend.ErrInvalidArgument},
		{"EntityTooLarge", backend.ErrTooLarge},
		{"XMinioStorageFull", backend.ErrTooLarge},
		{"NotImplemented", backend.ErrNotSupported},
		{"SlowDown", backend.ErrServerBusy},
		{"SlowDownWrite", backend.ErrServerBusy},
		{"XMinioInsufficientReadQuorum", backend.ErrServerBusy},
		{"ConditionalRequestConflict", backend.ErrServerBusy},
		{"BadDigest", backend.ErrServerBusy},
		{"RequestTimeout", backend.ErrServerBusy},
		{"", nil},
		{"SomethingNew", nil},
		{"nosuchkey", nil}, // codes are case-sensitive
	} {
		assert.Equal(t, c.want, s3core.KindForCode(c.code), "%q", c.code)
	}
}

// TestKindForCodeKeepsBothTables: every code that either driver mapped
// before the table was shared is still mapped, to the kind it had in
// both, or, where they disagreed, to the one chosen.
func TestKindForCodeKeepsBothTables(t *testing.T) {
	minioTable := []string{ // backend/minio/errors.go, 30 codes
		"NoSuchKey", "NoSuchBucket", "NoSuchUpload", "PreconditionFailed", "AccessDenied",
		"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
		"XMinioInvalidObjectName", "XMinioInvalidResourceName", "KeyTooLongError", "InvalidObjectName",
		"InvalidRange", "InvalidArgument", "MetadataTooLarge", "EntityTooLarge", "XMinioStorageFull",
		"NotImplemented", "SlowDown", "SlowDownRead", "SlowDownWrite", "InternalError",
		"ServiceUnavailable", "RequestTimeout", "XMinioServerNotInitialized", "XMinioReadQuorum",
		"XMinioWriteQuorum", "XMinioInsufficientReadQuorum", "XMinioInsufficientWriteQuorum",
	}
	s3Table := []string{ // backend/s3/errors.go, 53 codes
		"NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchVersion", "NoSuchUpload", "PreconditionFailed",
		"ConditionalRequestConflict", "ObjectParentIsFile", "ExistingObjectIsDirectory",
		"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled",
		"AccountProblem", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
		"RequestTimeTooSkewed", "InvalidSecurity", "Forbidden",
		"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling",
		"ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
		"RequestThrottled", "BandwidthLimitExceeded", "XMinioServerNotInitialized",
		"XMinioReadQuorum", "XMinioWriteQuorum",
		"BadDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch",
		"EntityTooLarge", "MaxMessageLengthExceeded",
		"InvalidRange", "InvalidArgument", "InvalidRequest", "EntityTooSmall", "InvalidPart",
		"InvalidPartOrder", "MalformedXML", "InvalidDigest", "KeyTooLongError",
		"MetadataTooLarge", "InvalidBucketName", "IncompleteBody", "MissingContentLength",
		"InvalidObjectName", "NotImplemented",
	}
	assert.Len(t, minioTable, 30)
	assert.Len(t, s3Table, 53)
	for _, code := range append(minioTable, s3Table...) {
		assert.NotNil(t, s3core.KindForCode(code), "%q is no longer mapped", code)
	}
}

type timeout struct{}

func (timeout) Error() string { return "i/o timeout" }
func (timeout) Timeout() bool { return true }

func TestKind(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		name string
		err  error
		a    s3core.Answer
		want error
	}{
		{"code", errors.New("x"), s3core.Answer{Code: "NoSuchKey", Status: 404}, backend.ErrNotFound},
		{"code without status (a per-key delete result)", errors.New("x"), s3core.Answer{Code: "AccessDenied"}, backend.ErrPermission},
		{"code before status: RequestTimeout is a 400", errors.New("x"), s3core.Answer{Code: "RequestTimeout", Status: 400}, backend.ErrServerBusy},
		{"code before status: a 409 that says retry", errors.New("x"), s3core.Answer{Code: "ConditionalRequestConflict", Status: 409}, backend.ErrServerBusy},
		{"code before status: key too long", errors.New("x"), s3core.Answer{Code: "KeyTooLongError", Status: 400}, backend.ErrInvalidKey},
		{"status of a HEAD answer (no body, no code)", errors.New("x"), s3core.Answer{Status: 404}, backend.ErrNotFound},
		{"status: 409 without a code", errors.New("x"), s3core.Answer{Status: 409}, backend.ErrExist},
		{"status: unknown code, 502", errors.New("x"), s3core.Answer{Code: "Whatever", Status: 502}, backend.ErrServerBusy},
		{"status: 429", errors.New("x"), s3core.Answer{Code: "TooManyRequests", Status: 429}, backend.ErrServerBusy},
		{"status: 416", errors.New("x"), s3core.Answer{Status: 416}, backend.ErrInvalidArgument},
		{"status: unknown", errors.New("x"), s3core.Answer{Status: 418}, nil},
		{"connection refused", refused, s3core.Answer{}, backend.ErrUnavailable},
		{"timeout", fmt.Errorf("read: %w", timeout{}), s3core.Answer{}, backend.ErrUnavailable},
		{"deadline inside the transport", context.DeadlineExceeded, s3core.Answer{}, backend.ErrUnavailable},
		{"answer cut short", fmt.Errorf("decoding: %w", io.ErrUnexpectedEOF), s3core.Answer{}, backend.ErrUnavailable},
		{"the caller's cancellation", fmt.Errorf("get: %w", context.Canceled), s3core.Answer{}, nil},
		{"the caller's cancellation, cut short", errors.Join(context.Canceled, io.ErrUnexpectedEOF), s3core.Answer{}, nil},
		{"a local error", errors.New("bad"), s3core.Answer{}, nil},
		{"a *backend.Error keeps its kind",
			fmt.Errorf("w: %w", backend.NewError("put", "k", backend.ErrTooLarge, errors.New("parts"))),
			s3core.Answer{Code: "InternalError", Status: 500}, backend.ErrTooLarge},
		{"a *backend.Error without a kind does not decide",
			backend.NewError("put", "k", nil, errors.New("x")), s3core.Answer{Status: 503}, backend.ErrServerBusy},
	} {
		assert.Equal(t, c.want, s3core.Kind(c.err, c.a), c.name)
	}
}
