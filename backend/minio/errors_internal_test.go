package minio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	minio "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestMapErr(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{minio.ErrorResponse{Code: "NoSuchKey", StatusCode: 404}, backend.ErrNotFound},
		{minio.ErrorResponse{Code: "NoSuchBucket", StatusCode: 404}, backend.ErrNotFound},
		{minio.ErrorResponse{StatusCode: 404}, backend.ErrNotFound}, // HEAD answers have no body
		{minio.ErrorResponse{Code: "PreconditionFailed", StatusCode: 412}, backend.ErrExist},
		{minio.ErrorResponse{Code: "AccessDenied", StatusCode: 403}, backend.ErrPermission},
		{minio.ErrorResponse{Code: "SignatureDoesNotMatch", StatusCode: 403}, backend.ErrPermission},
		{minio.ErrorResponse{Code: "AccessDenied"}, backend.ErrPermission}, // a per-key result of a multi-object delete
		{minio.ErrorResponse{Code: "InvalidRange", StatusCode: 416}, backend.ErrInvalidArgument},
		{minio.ErrorResponse{Code: "MetadataTooLarge", StatusCode: 400}, backend.ErrInvalidArgument},
		{minio.ErrorResponse{Code: "XMinioInvalidObjectName", StatusCode: 400}, backend.ErrInvalidKey},
		{minio.ErrorResponse{Code: "KeyTooLongError", StatusCode: 400}, backend.ErrInvalidKey},
		{minio.ErrorResponse{Code: "InvalidObjectName", StatusCode: 400}, backend.ErrInvalidKey},
		{minio.ErrorResponse{Code: "ConditionalRequestConflict", StatusCode: 409}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "BadDigest", StatusCode: 400}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "EntityTooLarge", StatusCode: 400}, backend.ErrTooLarge},
		{minio.ErrorResponse{Code: "XMinioStorageFull", StatusCode: 507}, backend.ErrTooLarge},
		{minio.ErrorResponse{Code: "SlowDown", StatusCode: 503}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "SlowDownWrite", StatusCode: 503}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "XMinioServerNotInitialized", StatusCode: 503}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "InternalError", StatusCode: 500}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "Whatever", StatusCode: 502}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "TooManyRequests", StatusCode: 429}, backend.ErrServerBusy},
		{minio.ErrorResponse{Code: "NotImplemented", StatusCode: 501}, backend.ErrNotSupported},
		{&url.Error{Op: "Get", URL: "http://h", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, backend.ErrUnavailable},
		{&url.Error{Op: "Put", URL: "http://h", Err: io.ErrUnexpectedEOF}, backend.ErrUnavailable},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), backend.ErrUnavailable},
		// minio-go's rewording of an io.EOF before the answer.
		{&url.Error{Op: "Put", URL: "http://h/b/k", Err: errors.New("Connection closed by foreign host http://h/b/k. Retry again.")}, backend.ErrUnavailable},
		{context.DeadlineExceeded, backend.ErrUnavailable},
	} {
		err := mapErr("get", "bucket", "a/key", c.err)
		var be *backend.Error
		require.ErrorAs(t, err, &be, "%v", c.err)
		assert.Equal(t, "a/key", be.Key)
		assert.Equal(t, "get", be.Op)
		assert.ErrorIs(t, err, c.want, "%#v", c.err)
		var er minio.ErrorResponse
		if errors.As(c.err, &er) {
			assert.ErrorAs(t, err, &er, "the native error stays reachable")
		}
	}
	// The caller's cancellation is no sentinel: not a reason to fail over.
	err := mapErr("put", "bucket", "k", &url.Error{Op: "Put", URL: "http://h", Err: context.Canceled})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, backend.ErrUnavailable)
	// An error that already is a *backend.Error keeps its kind.
	inner := backend.NewError("put", "k", backend.ErrInvalidArgument, errors.New("short"))
	assert.ErrorIs(t, mapErr("put", "bucket", "k", fmt.Errorf("wrapped: %w", inner)), backend.ErrInvalidArgument)
	assert.Nil(t, mapErr("get", "bucket", "k", nil))

	// A busy answer whose headers retryAfterTransport kept: the delay
	// comes from its Retry-After, and only for a busy kind.
	busy := &busyAnswer{resp: minio.ErrorResponse{Code: "SlowDown", StatusCode: 503},
		header: http.Header{"Retry-After": {"3"}}, retryAfter: 3 * time.Second}
	var be *backend.Error
	require.ErrorAs(t, mapErr("get", "bucket", "k", busy), &be)
	assert.ErrorIs(t, be, backend.ErrServerBusy)
	assert.Equal(t, 3*time.Second, be.RetryAfter)
	denied := &busyAnswer{resp: minio.ErrorResponse{Code: "AccessDenied", StatusCode: 503},
		header: http.Header{"Retry-After": {"3"}}, retryAfter: 3 * time.Second}
	require.ErrorAs(t, mapErr("get", "bucket", "k", denied), &be)
	assert.ErrorIs(t, be, backend.ErrPermission)
	assert.Zero(t, be.RetryAfter)
}
