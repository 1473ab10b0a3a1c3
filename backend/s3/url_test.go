package s3_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/drivertest"
)

// TestParseURLErrorsHoldNoSecret: the errors of ParseURL hold no secret
// of the URL in any layer: not the values of secret-looking parameters
// (url.Redacted ignores the query), not a password inside the endpoint,
// not a password with an unencoded '/' (which ends the user part early).
func TestParseURLErrorsHoldNoSecret(t *testing.T) {
	const s = "S3CRETvalue"
	for _, raw := range []string{
		"s3://bucket?endpoint=http://127.0.0.1:1&secret_key=" + s,
		"s3://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1&nosuch=1",
		"s3://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1&path_style=maybe",
		"s3://bucket/path?token=" + s,
		"s3://AK:" + s + "@bucket",
		"s3://AK:1234/" + s + "@bucket",
		"s3://AK:1234/" + s + "@bucket?region=r",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		_, err = s3.ParseURL(u)
		require.Error(t, err, raw)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, raw)
		drivertest.NoSecretInErrorTree(t, err, raw, s)
	}
	u, _ := url.Parse("s3://AK:1234/" + s + "@bucket")
	_, err := s3.ParseURL(u)
	assert.Contains(t, err.Error(), "credentials")
}
