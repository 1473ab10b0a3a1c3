package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/drivertest"
)

// leakSecret is the secret of the URLs below; leakSecret2 the part of an
// unencoded secret after its '/'.
const (
	leakSecret  = "S3CRETvalue"
	leakSecret2 = "ETpart"
)

// TestOpenErrorsHoldNoSecretInAnyLayer opens a bad URL of every scheme
// the registry opens, with a secret in each place a URL can carry one,
// and walks the whole error tree.
func TestOpenErrorsHoldNoSecretInAnyLayer(t *testing.T) {
	s := leakSecret
	dir := t.TempDir()
	for _, raw := range []string{
		// minio
		"minio://AKID:1234/" + leakSecret2 + "@127.0.0.1:1/bucket", // unencoded '/' in the secret
		"minio://AKID:" + s + "@127.0.0.1:1/bucket?nosuch=1",
		"minio://AKID:" + s + "@127.0.0.1:1/bucket?secret_key=" + s,
		"minio://127.0.0.1:1/bucket?region=x&token=" + s,
		"minio://AKID:" + s + "@127.0.0.1:1/bucket?ca_file=http://AK:" + s + "@host/ca.pem",
		"minio://AKID:" + s + "@127.0.0.1:1/a/b",
		"minio://AKID:" + s + "@127.0.0.1:1/bucket#frag",
		"minio://AKID:" + s + "@127.0.0.1:1/bucket?part_size=nope",
		// s3
		"s3://bucket?endpoint=http://127.0.0.1:1&secret_key=" + s,
		"s3://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1",
		"s3://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1&nosuch=1",
		"s3://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1&path_style=maybe",
		"s3://bucket?endpoint=%25zz&token=" + s,
		"s3://AK:" + s + "@bucket",
		"s3://AK:1234/" + leakSecret2 + "@bucket",
		"gs://AK:1234/" + leakSecret2 + "@bucket",
		"azblob://AK:1234/" + leakSecret2 + "@container",
		"file://AK:1234/" + leakSecret2 + "@/tmp/x",
		"s3://bucket/path?secret_key=" + s,
		// gcs
		"gs://AK:" + s + "@bucket",
		"gs://bucket?secret_key=" + s,
		"gs://bucket?endpoint=http://AK:" + s + "@127.0.0.1:1&nosuch=1",
		"gs://bucket/path?token=" + s,
		"gs://bucket?create_bucket=maybe&token=" + s,
		// azblob (gocloud)
		"azblob://AK:" + s + "@container",
		"azblob://container?account_key=" + s,
		"azblob://container?domain=AK:" + s + "@host&nosuch=1",
		"azblob://container?sas_token=" + s + "&cdn=maybe",
		// file
		"file://AK:" + s + "@/tmp/x",
		"file://" + dir + "?secret_key=" + s,
		"file://" + dir + "?stale_temp_age=http://AK:" + s + "@host",
		"file://host?token=" + s,
		// mem
		"mem://AK:" + s + "@x?token=" + s,
	} {
		t.Run(strings.SplitN(raw, ":", 2)[0], func(t *testing.T) {
			b, err := backend.Open(t.Context(), raw)
			if err == nil {
				// mem:// opens anything; nothing to leak in an error then.
				_ = b.Close()
				return
			}
			drivertest.NoSecretInErrorTree(t, err, raw, leakSecret, leakSecret2)
			var be *backend.Error
			assert.True(t, errors.As(err, &be), "%q: a *backend.Error", raw)
		})
	}
}

// TestUnencodedSecretInURL: a secret key with an unencoded '/' is
// refused as a usage error that says to percent-encode it, and repeats no
// part of it.
func TestUnencodedSecretInURL(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "--url", "minio://AKID:1234/"+leakSecret2+"@127.0.0.1:1/bucket", "ls")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "percent-encoded")
	assert.Contains(t, r.stderr, "%2F")
	assert.NotContains(t, r.stderr+r.stdout, leakSecret2)
	assert.NotContains(t, r.stderr+r.stdout, "1234")
}
