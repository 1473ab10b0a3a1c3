package gcs_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/iterator"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// foreignFill is what other tools leave in a bucket: the console's folder
// objects (empty, name ending in '/'), objects under them, and a name with
// "//". backend.ValidateKey refuses "photos/", "photos/2026/" and "a//b".
var foreignFill = []struct{ key, data string }{
	{"photos/", ""},
	{"photos/2026/", ""},
	{"photos/2026/a.jpg", "jpeg bytes"},
	{"docs/readme.txt", "read me"},
	{"a//b", "double slash"},
}

// TestForeignKeys fills a bucket with the storage library, as another tool
// would, and lists, reads and removes it through objstore
// (docs/foreign-keys.md).
func TestForeignKeys(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	ctx := context.Background()
	b := openFresh(t, srv, gcs.Config{})
	bucket := callerClient(t, srv).Bucket(b.Bucket())
	c := objstore.New(b)

	var stored []string
	for _, f := range foreignFill {
		w := bucket.Object(f.key).NewWriter(ctx)
		_, err := io.WriteString(w, f.data)
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			t.Logf("the server refuses the name %q: %v", f.key, err)
			continue
		}
		stored = append(stored, f.key)
	}
	slices.Sort(stored)
	require.Equal(t, stored, rawNames(t, bucket, ""))
	require.Contains(t, stored, "photos/")

	keys, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, stored, keys, "listed as they are")

	for _, f := range foreignFill {
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
	assert.Empty(t, rawNames(t, bucket, "photos/"), "RemoveObjects(photos/) removes the folder objects and what is under them")
	assert.NotEmpty(t, rawNames(t, bucket, ""), "and nothing else")
	require.NoError(t, c.RemoveObjects(ctx, ""))
	assert.Empty(t, rawNames(t, bucket, ""), "RemoveObjects(\"\") removes everything")
}

// rawNames lists bucket with the storage library, sorted.
func rawNames(t *testing.T, bucket *storage.BucketHandle, prefix string) []string {
	t.Helper()
	var names []string
	it := bucket.Objects(t.Context(), &storage.Query{Prefix: prefix})
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		require.NoError(t, err)
		names = append(names, attrs.Name)
	}
	slices.Sort(names)
	return names
}
