package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/testserver"
)

// minioAdmin is a minio-go client of srv, to look at (and fill) the server
// behind the command's back, as another tool would.
func minioAdmin(t *testing.T, srv *testserver.MinIO) *miniogo.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := miniogo.New(srv.Endpoint, &miniogo.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""), Transport: tr})
	require.NoError(t, err)
	return c
}

// TestRbOnFile: rb removes an empty file:// store, refuses one with
// objects (naming one) unless --force, and fails on a missing one; none of
// it creates anything.
func TestRbOnFile(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.dir, "s")
	url := "file://" + dir
	c.ok("x", "--url", url, "put", "a/k")
	c.ok("y", "--url", url, "stream", "put", "st")

	r := c.run("", "rb", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "objstore: rb: the store "+url+" is not empty")
	assert.Contains(t, r.stderr, "nothing removed")
	assert.Contains(t, r.stderr, "objstore rb --force "+url)
	assert.NotContains(t, r.stderr, "object already exists", "the command's words, not the sentinel's")
	assert.Equal(t, "y", c.ok("", "--url", url, "stream", "get", "st").stdout, "nothing removed")
	j := jsonLines(t, c.run("", "--json", "rb", url).stderr)
	assert.Equal(t, "exist", j[0]["kind"])

	// A file objstore never removes blocks even --force, and is named.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".objstore-tmp-00000000000000ff"), nil, 0o600))
	r = c.run("", "rb", "--force", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "temp file")
	require.NoError(t, os.Remove(filepath.Join(dir, ".objstore-tmp-00000000000000ff")))

	r = c.ok("", "--url", url, "rb", "--force")
	assert.Contains(t, r.stdout, "removed store "+url, "the first --force removed the objects already")
	assert.NoDirExists(t, dir)

	r = c.run("", "rb", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no store at "+url)
	assert.NoDirExists(t, dir, "rb creates nothing")
	r = c.run("", "rb", "--force", url)
	assert.Equal(t, exitFailure, r.code)
	assert.NoDirExists(t, dir)

	c.ok("", "mb", url)
	j = jsonLines(t, c.ok("", "--json", "rb", url).stdout)
	assert.Equal(t, map[string]any{"url": url, "result": "removed", "objects_removed": float64(0)}, j[0])
	assert.Equal(t, exitUsage, c.run("", "rb", "mem://x").code)
}

// TestRbOnMinIO: rb on a real MinIO bucket: refused while it holds
// objects (and kept), --force removes them and the bucket, a missing
// bucket is an error; the secret never shows.
func TestRbOnMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := minioAdmin(t, srv)
	c := newCLI(t)
	store := minioURL(srv, "rbtest", "")
	exists := func() bool {
		ok, err := adm.BucketExists(context.Background(), "rbtest")
		require.NoError(t, err)
		return ok
	}
	c.ok("", "mb", store)
	c.ok("one", "--url", store, "put", "a/one")
	c.ok("two", "--url", store, "put", "b/two")
	// A folder object another tool made counts as content too.
	_, err := adm.PutObject(t.Context(), "rbtest", "folder/", strings.NewReader(""), 0, miniogo.PutObjectOptions{})
	require.NoError(t, err)

	r := c.run("", "rb", store)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "is not empty")
	assert.Contains(t, r.stderr, `(it holds "a/one", ...)`)
	assert.Contains(t, r.stderr, "rb --force")
	assert.NotContains(t, r.stderr, srv.SecretKey)
	assert.True(t, exists())

	r = c.ok("", "rb", "--force", store)
	assert.Contains(t, r.stdout, "removed 3 objects and store ")
	assert.NotContains(t, r.stdout, srv.SecretKey)
	assert.False(t, exists())

	r = c.run("", "rb", store)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no store at ")
	assert.Contains(t, r.stderr, `"rbtest"`)
	assert.Contains(t, jsonLines(t, c.run("", "--json", "rb", store).stderr)[0]["kind"], "not_found")
	assert.False(t, exists(), "rb creates nothing")

	// An empty bucket goes without --force; wrong credentials are refused.
	c.ok("", "mb", store)
	r = c.run("", "rb", minioURL(srv, "rbtest", "wrong-secret-77"))
	assert.Equal(t, exitFailure, r.code)
	assert.NotContains(t, r.stderr, "wrong-secret-77")
	assert.True(t, exists())
	assert.Contains(t, c.ok("", "--url", store, "rb").stdout, "removed store ")
	assert.False(t, exists())
}
