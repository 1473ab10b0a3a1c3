package backend

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
)

// KindForStatus maps an HTTP status of an object-store answer to the
// sentinel a driver should report, or nil when no sentinel fits. 412 is
// mapped to ErrExist because a create-only put is the only conditional
// request the drivers make.
func KindForStatus(status int) error {
	switch status {
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusPreconditionFailed, http.StatusConflict:
		return ErrExist
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrPermission
	case http.StatusBadRequest, http.StatusRequestedRangeNotSatisfiable, http.StatusLengthRequired,
		http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed:
		return ErrInvalidArgument
	case http.StatusNotImplemented:
		return ErrNotSupported
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return ErrServerBusy
	}
	return nil
}

// NetworkKind returns ErrUnavailable when err says the endpoint could not
// be reached or the connection broke (refused, reset, timeout, DNS,
// unexpected EOF on the wire), and nil otherwise. The caller's own
// cancellation (context.Canceled) is never ErrUnavailable; a deadline that
// fires inside a transport is, since it is how a hung server shows.
func NetworkKind(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var urlErr *url.Error
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return ErrUnavailable
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ErrUnavailable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, http.ErrHandlerTimeout):
		return ErrUnavailable
	case errors.As(err, &urlErr) && (urlErr.Timeout() || errors.Is(urlErr.Err, io.ErrUnexpectedEOF) || errors.Is(urlErr.Err, io.EOF)):
		return ErrUnavailable
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return ErrUnavailable
	}
	return nil
}

// Classifier is a driver's mapping from the errors of its SDK to the
// sentinels of errors.go: it returns the sentinel that err means, or nil
// when none fits (the caller's own cancellation, for instance).
type Classifier func(err error) error

// Error returns nil for a nil err, and otherwise err as an *Error for op
// and key whose Kind is c(err), with err itself reachable by errors.As.
// A driver typically declares
//
//	var wrap = backend.Classifier(classify).Error
//
// and returns wrap(op, key, err) for every error of its SDK.
func (c Classifier) Error(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return NewError(op, key, c(err), err)
}
