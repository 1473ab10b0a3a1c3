// Package s3test holds the checks that the drivers speaking S3 (minio,
// s3) run the same way against their servers: test code, imported only by
// tests.
package s3test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/drivertest"
)

// sendPlain makes one request with a plain HTTP client, no credentials,
// and returns the answer and its body.
func sendPlain(t *testing.T, method, u, contentType, body string) (*http.Response, string) {
	t.Helper()
	return drivertest.Send(t, method, u, drivertest.ContentType(contentType), body)
}

// CheckSigV4Methods uses URLs of each method from p on a server that
// checks SigV4 signatures, with a plain HTTP client: PUT stores (with the
// content type it is bound to, and no other), GET returns the bytes, HEAD
// the size, DELETE removes; a tampered, misused or expired URL is
// refused. b is the same store, to look behind the URLs.
func CheckSigV4Methods(t *testing.T, p backend.Presigner, b backend.Backend, secret string) {
	ctx := t.Context()
	const key = "pre/sent é+1.txt"
	sign := func(method, contentType string) string {
		t.Helper()
		u, err := p.Presign(ctx, method, key, time.Hour, backend.PresignOptions{ContentType: contentType})
		require.NoError(t, err)
		assert.NotContains(t, u, secret)
		for _, param := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"} {
			assert.Contains(t, u, param+"=")
		}
		assert.Contains(t, u, "X-Amz-Expires=3600")
		return u
	}

	put := sign(http.MethodPut, "text/csv")
	assert.Contains(t, put, "content-type", "the content type is a signed header")
	resp, msg := sendPlain(t, http.MethodPut, put, "application/json", "wrong type")
	assertRefused(t, resp.StatusCode, "a PUT with another content type: %s", msg)
	resp, msg = sendPlain(t, http.MethodPut, put, "", "no type")
	assertRefused(t, resp.StatusCode, "a PUT with none: %s", msg)
	_, err := b.Stat(ctx, key)
	require.ErrorIs(t, err, backend.ErrNotFound, "the refused PUTs stored nothing")
	resp, msg = sendPlain(t, http.MethodPut, put, "text/csv", "a,b\n1,2\n")
	require.Equal(t, http.StatusOK, resp.StatusCode, "PUT stores: %s", msg)
	info, err := b.Stat(ctx, key)
	require.NoError(t, err)
	assert.EqualValues(t, len("a,b\n1,2\n"), info.Size)
	assert.Equal(t, "text/csv", info.ContentType)

	anyType := sign(http.MethodPut, "")
	resp, msg = sendPlain(t, http.MethodPut, anyType, "application/json", `{"a":1}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "an unbound PUT takes any type: %s", msg)

	get := sign(http.MethodGet, "")
	resp, body := sendPlain(t, http.MethodGet, get, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"a":1}`, body, "GET returns the bytes")

	head := sign(http.MethodHead, "")
	resp, _ = sendPlain(t, http.MethodHead, head, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, strconv.Itoa(len(`{"a":1}`)), resp.Header.Get("Content-Length"), "HEAD gives the size")

	// The signature binds the method, the key and the expiry.
	resp, _ = sendPlain(t, http.MethodDelete, get, "", "")
	assertRefused(t, resp.StatusCode, "a GET URL used to DELETE")
	resp, _ = sendPlain(t, http.MethodGet, strings.Replace(get, "/pre/", "/prf/", 1), "", "")
	assertRefused(t, resp.StatusCode, "another key")
	resp, _ = sendPlain(t, http.MethodGet, strings.Replace(get, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1), "", "")
	assertRefused(t, resp.StatusCode, "a longer expiry")
	_, err = b.Stat(ctx, key)
	require.NoError(t, err, "still there")

	del := sign(http.MethodDelete, "")
	resp, _ = sendPlain(t, http.MethodDelete, del, "", "")
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "DELETE removes")
	_, err = b.Stat(ctx, key)
	require.ErrorIs(t, err, backend.ErrNotFound)

	// SigV4 times have whole seconds: a URL for one second is refused
	// within about two (the server's clock is this machine's).
	short, err := p.Presign(ctx, http.MethodGet, "pre/short", time.Second, backend.PresignOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		resp, _ := sendPlain(t, http.MethodGet, short, "", "")
		return resp.StatusCode == http.StatusForbidden
	}, 30*time.Second, 250*time.Millisecond, "an expired URL is refused")

	// Refused before signing.
	for _, bad := range []time.Duration{0, time.Millisecond, 7*24*time.Hour + time.Second} {
		_, err = p.Presign(ctx, http.MethodGet, key, bad, backend.PresignOptions{})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "expiry %v", bad)
	}
	_, err = p.Presign(ctx, http.MethodGet, key, 7*24*time.Hour, backend.PresignOptions{})
	assert.NoError(t, err, "7 days is allowed")
	_, err = p.Presign(ctx, "PATCH", key, time.Minute, backend.PresignOptions{})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = p.Presign(ctx, http.MethodGet, key, time.Minute, backend.PresignOptions{ContentType: "text/plain"})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "a content type binds only a PUT")
	_, err = p.Presign(ctx, http.MethodPut, key, time.Minute, backend.PresignOptions{ContentType: "text/plain\r\nX-Evil: 1"})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = p.Presign(ctx, http.MethodDelete, "a//b", time.Minute, backend.PresignOptions{})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
}

// assertRefused checks that a server refused a request for its
// signature: 403, or 400 where MinIO calls a missing signed header a bad
// request (still an AccessDenied).
func assertRefused(t *testing.T, status int, msgAndArgs ...any) {
	t.Helper()
	assert.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, status, msgAndArgs...)
}
