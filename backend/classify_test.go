package backend_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
)

func TestKindForStatus(t *testing.T) {
	for status, want := range map[int]error{
		200: nil, 204: nil, 206: nil, 304: nil,
		400: backend.ErrInvalidArgument, 401: backend.ErrPermission, 403: backend.ErrPermission,
		404: backend.ErrNotFound, 405: backend.ErrInvalidArgument, 409: backend.ErrExist,
		411: backend.ErrInvalidArgument, 412: backend.ErrExist, 413: backend.ErrInvalidArgument,
		416: backend.ErrInvalidArgument, 429: backend.ErrServerBusy, 500: backend.ErrServerBusy,
		501: backend.ErrNotSupported, 502: backend.ErrServerBusy, 503: backend.ErrServerBusy,
		504: backend.ErrServerBusy, 418: nil,
	} {
		assert.Equal(t, want, backend.KindForStatus(status), "status %d", status)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func TestNetworkKind(t *testing.T) {
	unavailable := []error{
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		&net.DNSError{Err: "no such host", Name: "nowhere.invalid"},
		fmt.Errorf("write: %w", syscall.EPIPE),
		fmt.Errorf("read: %w", syscall.ECONNRESET),
		syscall.ECONNABORTED, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
		context.DeadlineExceeded,
		&url.Error{Op: "Get", URL: "http://h", Err: io.ErrUnexpectedEOF},
		&url.Error{Op: "Get", URL: "http://h", Err: io.EOF},
		&url.Error{Op: "Get", URL: "http://h", Err: timeoutErr{}},
		os.ErrDeadlineExceeded,
		http.ErrHandlerTimeout,
		timeoutErr{},
	}
	for _, err := range unavailable {
		assert.Equal(t, backend.ErrUnavailable, backend.NetworkKind(err), "%v", err)
	}
	for _, err := range []error{
		nil,
		context.Canceled,
		&url.Error{Op: "Get", URL: "http://h", Err: context.Canceled},
		// The caller's cancellation wins even over a network error.
		errors.Join(context.Canceled, &net.OpError{Op: "read", Err: syscall.ECONNRESET}),
		errors.New("some server answer"),
		io.ErrUnexpectedEOF, // not on the wire: a short file, for instance
	} {
		assert.Nil(t, backend.NetworkKind(err), "%v", err)
	}
}
