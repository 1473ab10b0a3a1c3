package s3_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// foreignFill is what other tools leave in a bucket: the console's folder
// objects (empty, key ending in '/'), objects under them, and a key with
// "//". backend.ValidateKey refuses "photos/", "photos/2026/" and "a//b".
var foreignFill = []struct{ key, data string }{
	{"photos/", ""},
	{"photos/2026/", ""},
	{"photos/2026/a.jpg", "jpeg bytes"},
	{"docs/readme.txt", "read me"},
	{"a//b", "double slash"},
}

// TestForeignKeys fills a bucket with the plain SDK, as another tool
// would, and lists, reads and removes it through objstore on New (the
// driver behind failover), on MinIO and versitygw. See
// docs/foreign-keys.md.
func TestForeignKeys(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		ctx := context.Background()
		b, bucket := srv.open(t)
		c := objstore.New(b)
		stored := srv.fillForeign(t, bucket)

		listed, err := c.ListObjects(ctx, "")
		require.NoError(t, err)
		serverLists := srv.rawKeys(t, bucket, "")
		for _, k := range stored {
			if slices.Contains(serverLists, k) {
				assert.Contains(t, listed, k, "every key the server lists is listed as it is")
			} else {
				t.Logf("%s: the server itself does not list %q", srv.name, k)
			}
		}
		for _, k := range listed {
			assert.Contains(t, stored, k, "only stored keys are listed")
		}

		for _, f := range foreignFill {
			if !slices.Contains(stored, f.key) {
				continue
			}
			rc, err := c.GetObject(ctx, f.key)
			if backend.ValidateKey("get", f.key) != nil {
				assert.ErrorIs(t, err, objstore.ErrInvalidKey, "Get(%q)", f.key)
				continue
			}
			require.NoError(t, err, "Get(%q)", f.key)
			got, err := io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
			assert.Equal(t, f.data, string(got), "Get(%q)", f.key)
		}

		require.NoError(t, c.RemoveObjects(ctx, "photos/"))
		left := srv.rawKeys(t, bucket, "photos/")
		for _, k := range left {
			assert.NotContains(t, listed, k, "every listed key under photos/ is removed")
		}
		require.NoError(t, c.RemoveObjects(ctx, ""))
		left = srv.rawKeys(t, bucket, "")
		for _, k := range left {
			assert.NotContains(t, listed, k, "every listed key is removed")
		}

		assert.Empty(t, left, "everything the server lists is gone")
	})
}

// fillForeign puts foreignFill into bucket with the plain SDK and returns
// the keys the server accepted, sorted.
func (s *server) fillForeign(t *testing.T, bucket string) []string {
	t.Helper()
	var stored []string
	for _, f := range foreignFill {
		_, err := s.admin.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(f.key), Body: bytes.NewReader([]byte(f.data)),
		})
		if err != nil {
			t.Logf("%s refuses the key %q: %v", s.name, f.key, err)
			continue
		}
		stored = append(stored, f.key)
	}
	require.Contains(t, stored, "photos/2026/a.jpg")
	slices.Sort(stored)
	raw := s.rawKeys(t, bucket, "")
	for _, k := range stored {
		if !slices.Contains(raw, k) {
			// A server that keeps folder objects as directories
			// (versitygw over posix) may list them only while they are
			// empty, or not at all.
			t.Logf("%s accepted %q but does not list it", s.name, k)
		}
	}
	return raw
}

// rawKeys lists bucket with the plain SDK, sorted.
func (s *server) rawKeys(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.admin, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	slices.Sort(keys)
	return keys
}
