package s3test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// CheckPresignRoundTrip uploads and downloads through URLs that b, a
// Presigner, signs, with a plain http.Client, which has no credentials,
// for keys with a space, '+' and non-ASCII letters: a PUT URL stores
// what the driver then reads, a GET URL returns it, neither holds the
// secret, a URL with another key is refused with 403, and Presign refuses
// an expiry of less than a second or more than 7 days and an invalid key.
func CheckPresignRoundTrip(t *testing.T, b backend.Backend, secret string) {
	ctx := t.Context()
	p, ok := backend.As[backend.Presigner](b)
	require.True(t, ok, "a Presigner")
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	plain := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	for _, c := range []struct{ key, from, to string }{ // to tamper: from -> to in the URL
		{"shared/report 1+1.txt", "report", "rePort"},
		{"pre/sent é", "/pre/", "/pro/"},
	} {
		body := "made by a holder of the URL for " + c.key
		put, err := p.Presign(ctx, http.MethodPut, c.key, time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		assert.NotContains(t, put, secret)
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, put, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := plain.Do(req)
		require.NoError(t, err)
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "PUT %q: %s", c.key, msg)

		rc, _, err := b.Get(ctx, c.key, backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		assert.Equal(t, body, string(got), "the driver reads what the PUT URL stored")

		get, err := p.Presign(ctx, http.MethodGet, c.key, time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		assert.NotContains(t, get, secret)
		resp, err = plain.Get(get)
		require.NoError(t, err)
		got, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, body, string(got))

		// A tampered URL is refused: the signature really is checked, and
		// the URL is for that key only.
		tampered := strings.Replace(get, c.from, c.to, 1)
		require.NotEqual(t, get, tampered)
		resp, err = plain.Get(tampered)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another key")
	}

	for _, method := range []string{http.MethodGet, http.MethodPut} {
		for _, bad := range []time.Duration{0, time.Millisecond, 8 * 24 * time.Hour} {
			_, err := p.Presign(ctx, method, "pre/x", bad, backend.PresignOptions{})
			assert.ErrorIs(t, err, backend.ErrInvalidArgument, "%s, expiry %v", method, bad)
		}
		for _, bad := range []string{"/bad", "../x", "a//b"} {
			_, err := p.Presign(ctx, method, bad, time.Minute, backend.PresignOptions{})
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "%s %q", method, bad)
		}
	}
}
