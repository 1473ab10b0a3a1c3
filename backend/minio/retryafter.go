package minio

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"time"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// maxErrorBody bounds the error document read from a busy answer.
const maxErrorBody = 1 << 20

// retryAfterTransport keeps the Retry-After of busy answers, which
// minio-go drops: its ErrorResponse has no headers. An answer whose status
// is a busy one (429, 500, 502, 503, 504) and that carries a Retry-After
// is read here and returned as a *busyAnswer error, holding the
// ErrorResponse that minio-go would have made of it, the answer's headers
// and the delay; every other answer passes untouched. mapErr then gives
// the *backend.Error its RetryAfter (answerOf, errors.go). The request was answered, so nothing is lost: minio-go
// returns the error of a failed round trip as it is (one attempt per call,
// MaxRetries 1), and errors.As still finds the ErrorResponse.
type retryAfterTransport struct{ base http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || backend.KindForStatus(resp.StatusCode) != backend.ErrServerBusy {
		return resp, err
	}
	d, ok := backend.RetryAfterHeader(resp.Header, time.Now())
	if !ok {
		return resp, nil
	}
	defer resp.Body.Close()
	er := minio.ErrorResponse{
		StatusCode: resp.StatusCode,
		Server:     resp.Header.Get("Server"),
		RequestID:  resp.Header.Get("X-Amz-Request-Id"),
		HostID:     resp.Header.Get("X-Amz-Id-2"),
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if xerr := xml.Unmarshal(body, &er); xerr != nil || er.Code == "" {
		er.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
		er.Message = req.Method + " answered " + resp.Status
	}
	if c := resp.Header.Get("X-Minio-Error-Code"); c != "" {
		er.Code = c
	}
	er.StatusCode = resp.StatusCode
	return nil, &busyAnswer{resp: er, header: resp.Header, retryAfter: d}
}

// busyAnswer is a busy answer that said how long to wait.
type busyAnswer struct {
	resp       minio.ErrorResponse
	header     http.Header // of the answer, for mapErr (s3core.Answer)
	retryAfter time.Duration
}

// Error is minio-go's text; the *backend.Error that mapErr makes of it
// states the delay.
func (b *busyAnswer) Error() string { return b.resp.Error() }

// Unwrap gives errors.As the ErrorResponse, as minio-go returns it.
func (b *busyAnswer) Unwrap() error { return b.resp }

// RetryAfter is the delay the server asked for (see backend.RetryAfter).
func (b *busyAnswer) RetryAfter() time.Duration { return b.retryAfter }
