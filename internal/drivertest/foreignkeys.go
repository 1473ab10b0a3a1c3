package drivertest

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
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

// Foreign is a bucket that other tools fill, and the driver under test
// on it.
type Foreign struct {
	// Backend is the driver under test on the bucket.
	Backend backend.Backend
	// Put stores an object with a plain client, as another tool would.
	Put func(t *testing.T, key, data string) error
	// List lists the bucket under prefix with a plain client, recursively,
	// sorted.
	List func(t *testing.T, prefix string) []string
	// Exact says that the server stores and lists every key as it is,
	// folder objects and "//" among them (MinIO, GCS). Otherwise a server may
	// refuse a key, or keep a folder object as a directory that it lists
	// only while empty, or not at all (versitygw over posix).
	Exact bool
}

// CheckForeignKeys fills a bucket with a plain client, as another tool
// would, and lists, reads and removes it through objstore (see
// docs/foreign-keys.md): the listing is what the server lists, a key that
// backend.ValidateKey refuses gives ErrInvalidKey on Get and the others
// their bytes, RemoveObjects("photos/") removes the folder objects and
// what is under them and nothing else, and RemoveObjects("") everything.
func CheckForeignKeys(t *testing.T, f Foreign) {
	ctx := context.Background()
	c := objstore.New(f.Backend)
	t.Cleanup(func() { c.Close() })

	var stored []string
	for _, o := range foreignFill {
		if err := f.Put(t, o.key, o.data); err != nil {
			t.Logf("the server refuses the key %q: %v", o.key, err)
			continue
		}
		stored = append(stored, o.key)
	}
	slices.Sort(stored)
	require.Contains(t, stored, "photos/2026/a.jpg")
	raw := f.List(t, "")
	if f.Exact {
		require.Contains(t, stored, "photos/", "the server stores folder objects")
		require.Equal(t, stored, raw, "the server lists every key it stored")
	} else {
		for _, k := range stored {
			if !slices.Contains(raw, k) {
				t.Logf("the server accepted %q but does not list it", k)
			}
		}
	}

	listed, err := c.ListObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, raw, listed, "every key the server lists is listed as it is, and only those")

	for _, o := range foreignFill {
		if !slices.Contains(raw, o.key) {
			continue
		}
		rc, err := c.GetObject(ctx, o.key)
		if backend.ValidateKey("get", o.key) != nil {
			assert.ErrorIs(t, err, objstore.ErrInvalidKey, "Get(%q)", o.key)
			continue
		}
		require.NoError(t, err, "Get(%q)", o.key)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		assert.Equal(t, o.data, string(got), "Get(%q)", o.key)
	}

	require.NoError(t, c.RemoveObjects(ctx, "photos/"))
	for _, k := range f.List(t, "photos/") {
		assert.NotContains(t, listed, k, "RemoveObjects(photos/) removes every listed key under photos/")
	}
	if f.Exact {
		assert.Empty(t, f.List(t, "photos/"), "RemoveObjects(photos/) removes the folder objects and what is under them")
	}
	after := f.List(t, "")
	for _, k := range raw {
		if !strings.HasPrefix(k, "photos/") {
			assert.Contains(t, after, k, "and nothing else")
		}
	}
	require.NoError(t, c.RemoveObjects(ctx, ""))
	assert.Empty(t, f.List(t, ""), "RemoveObjects(\"\") removes everything")
}
