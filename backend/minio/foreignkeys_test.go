package minio_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
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

// TestForeignKeys fills a bucket with minio-go, as another tool would, and
// lists, reads and removes it through objstore (docs/foreign-keys.md): on
// what users get from New and minio:// URLs (the driver behind failover)
// and on the raw driver of one endpoint.
func TestForeignKeys(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := admin(t, srv)
	for _, name := range []string{"New", "NewEndpoint"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg := baseConfig(t, srv)
			var b backend.Backend
			var err error
			if name == "New" {
				b, err = minio.New(ctx, cfg)
			} else {
				b, err = minio.NewEndpoint(ctx, cfg, srv.Endpoint)
			}
			require.NoError(t, err)
			c := objstore.New(b)
			t.Cleanup(func() { c.Close() })

			stored := fillForeign(t, adm, cfg.Bucket)
			keys, err := c.ListObjects(ctx, "")
			require.NoError(t, err)
			assert.Equal(t, stored, keys, "listed as they are")

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
			assert.Empty(t, rawKeys(t, adm, cfg.Bucket, "photos/"), "RemoveObjects(photos/) removes the folder objects and what is under them")
			assert.NotEmpty(t, rawKeys(t, adm, cfg.Bucket, ""), "and nothing else")
			require.NoError(t, c.RemoveObjects(ctx, ""))
			assert.Empty(t, rawKeys(t, adm, cfg.Bucket, ""), "RemoveObjects(\"\") removes everything")
		})
	}
}

// fillForeign puts foreignFill into bucket with minio-go and returns the
// keys the server accepted, sorted.
func fillForeign(t *testing.T, adm *miniogo.Client, bucket string) []string {
	t.Helper()
	var stored []string
	for _, f := range foreignFill {
		_, err := adm.PutObject(t.Context(), bucket, f.key, bytes.NewReader([]byte(f.data)), int64(len(f.data)), miniogo.PutObjectOptions{})
		if err != nil {
			t.Logf("the server refuses the key %q: %v", f.key, err)
			continue
		}
		stored = append(stored, f.key)
	}
	require.Contains(t, stored, "photos/", "MinIO stores folder objects")
	slices.Sort(stored)
	assert.Equal(t, stored, rawKeys(t, adm, bucket, ""))
	return stored
}

// rawKeys lists bucket with minio-go, recursively, sorted.
func rawKeys(t *testing.T, adm *miniogo.Client, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	for o := range adm.ListObjects(t.Context(), bucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		require.NoError(t, o.Err)
		keys = append(keys, o.Key)
	}
	slices.SortFunc(keys, strings.Compare)
	return keys
}
