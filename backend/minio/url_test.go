package minio_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/drivertest"
)

// TestParseURLRefusesUnencodedSecret: a secret key with an unencoded '/',
// '?' or '#' ends the URL's user part early, so that "AKID:1234" reads as
// host:port and the rest of the secret as the path, query or fragment.
// ParseURL refuses it, says to percent-encode, and never repeats the
// secret, in any layer of the error.
func TestParseURLRefusesUnencodedSecret(t *testing.T) {
	for _, raw := range []string{
		"minio://AKID:1234/abcd@127.0.0.1:1/bucket",
		"minio://AKID:1234/ab/cd@127.0.0.1:1/bucket",
		"minio://AKID:1234#abcd@127.0.0.1:1/bucket",
		"minio://AKID:1234?abcd@127.0.0.1:1/bucket",
		"minio://AKID:1234/abcd@127.0.0.1:1/bucket?region=r",
	} {
		_, err := minio.ParseURL(raw)
		require.Error(t, err, raw)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, raw)
		assert.Contains(t, err.Error(), "percent-encoded", raw)
		assert.Contains(t, err.Error(), "%2F", raw)
		drivertest.NoSecretInErrorTree(t, err, raw, "abcd", "1234")
	}
	// Percent-encoded, the same secret is fine.
	cfg, err := minio.ParseURL("minio://AKID:1234%2Fab%3Fc%23d@127.0.0.1:1/bucket")
	require.NoError(t, err)
	assert.Equal(t, "1234/ab?c#d", cfg.SecretKey)
	assert.Equal(t, []string{"127.0.0.1:1"}, cfg.Endpoints)
}

// TestParseURLErrorsHoldNoSecret: the errors of ParseURL name the URL
// without its password and without the values of secret-looking query
// parameters, in every layer, not only in the text of the outer error.
func TestParseURLErrorsHoldNoSecret(t *testing.T) {
	const s = "S3CRETvalue"
	for _, raw := range []string{
		"minio://AK:" + s + "@127.0.0.1:1/bucket?nosuch=1",
		"minio://AK:" + s + "@127.0.0.1:1/bucket?secret_key=" + s,
		"minio://127.0.0.1:1/bucket?token=" + s,
		"minio://AK:" + s + "@127.0.0.1:1/bucket?region=r&ca_file=http://u:" + s + "@h&x=1",
		"minio://AK:" + s + "@127.0.0.1:1/a/b",
		"minio://AK:" + s + "@127.0.0.1:1/bucket#f",
		"minio://AK:" + s + "@127.0.0.1:1/bucket?part_size=nope",
	} {
		_, err := minio.ParseURL(raw)
		require.Error(t, err, raw)
		drivertest.NoSecretInErrorTree(t, err, raw, s)
	}
}
