// Package plainhttp sends the requests of a holder of a presigned URL in
// tests: a plain HTTP client with no credentials. Test code, imported only
// by tests.
package plainhttp

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Send makes one request with a plain HTTP client of its own, no
// credentials, with header and body (none if ""), and returns the answer
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
