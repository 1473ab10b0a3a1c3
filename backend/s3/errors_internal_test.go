package s3

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// TestWrapErr: the adapter reads the code, status and headers of the
// SDK's errors as the SDK nests them, and the kind and delay follow.
func TestWrapErr(t *testing.T) {
	answer := func(status int, h http.Header, code string) error {
		var apiErr error = &smithy.GenericAPIError{Code: code, Message: "m"}
		if code == "" {
			apiErr = errors.New("no body")
		}
		return &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: h}},
				Err:      apiErr,
			},
		}}
	}
	retryAfter := http.Header{"Retry-After": {"4"}}
	for _, c := range []struct {
		name  string
		err   error
		kind  error
		delay time.Duration
	}{
		{"code", answer(404, nil, "NoSuchKey"), backend.ErrNotFound, 0},
		{"code before status", answer(400, nil, "KeyTooLongError"), backend.ErrInvalidKey, 0},
		{"code before status, transient", answer(409, nil, "ConditionalRequestConflict"), backend.ErrServerBusy, 0},
		{"status of a HEAD answer", answer(404, nil, ""), backend.ErrNotFound, 0},
		{"busy, with Retry-After", answer(503, retryAfter, "SlowDown"), backend.ErrServerBusy, 4 * time.Second},
		{"busy by status, with Retry-After", answer(429, retryAfter, ""), backend.ErrServerBusy, 4 * time.Second},
		{"not busy: no delay", answer(403, retryAfter, "AccessDenied"), backend.ErrPermission, 0},
		{"no answer", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, backend.ErrUnavailable, 0},
		{"the caller's cancellation", context.Canceled, nil, 0},
	} {
		err := wrapErr("get", "k", c.err)
		var be *backend.Error
		require.ErrorAs(t, err, &be, c.name)
		assert.Equal(t, c.kind, be.Kind, c.name)
		assert.Equal(t, c.delay, be.RetryAfter, c.name)
		assert.ErrorIs(t, err, c.err, "%s: the SDK's error stays reachable", c.name)
	}
}
