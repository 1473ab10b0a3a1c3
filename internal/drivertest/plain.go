// Package drivertest holds the checks that several drivers run the same
// way against their real servers, each with a fixture of its own (a plain
// client of the server's SDK, to look behind the driver's back), and the
// helpers they share: test code, imported only by tests. The checks of
// the S3 drivers alone are in internal/s3core/s3test; those of the retry
// layer in conformance/retrytest.
package drivertest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Send makes one request as the holder of a presigned URL would: with a
// plain HTTP client of its own, no credentials, with header and body (none if ""), and returns the answer
// and its body, read whole (the answer's Body is closed).
func Send(t testing.TB, method, u string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, r)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// ContentType is the header of a Content-Type, or nil for "".
func ContentType(ct string) http.Header {
	if ct == "" {
		return nil
	}
	return http.Header{"Content-Type": {ct}}
}
