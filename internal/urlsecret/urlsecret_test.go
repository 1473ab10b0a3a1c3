package urlsecret

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMisplacedUserinfo(t *testing.T) {
	for raw, want := range map[string]bool{
		"minio://AK:12/34@host:9000/bucket":   true, // '/' in the password
		"minio://AK:12?x@host:9000/bucket":    true, // '?': the '@' lands in a query name
		"minio://AK:12#34@host:9000/bucket":   true, // '#': the '@' lands in the fragment
		"minio://AK:12%2F34@host:9000/bucket": false,
		"minio://host:9000/bucket":            false,
		"minio://host:9000/bucket@x":          true,  // no URL of this module has an '@' in its path
		"s3://bucket/prefix@x":                false, // no ':' in the host: no password can have ended there
		"fs:///tmp/a@b":                       false,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, MisplacedUserinfo(u), raw)
	}
}
