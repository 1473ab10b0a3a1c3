package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/testserver"
)

// bucketKeys lists every key of bucket as the server holds it, sorted.
func bucketKeys(t *testing.T, adm *miniogo.Client, bucket, prefix string) []string {
	t.Helper()
	var out []string
	for o := range adm.ListObjects(context.Background(), bucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		require.NoError(t, o.Err)
		out = append(out, o.Key)
	}
	slices.Sort(out)
	return out
}

// summary is the last JSON line of a tree copy: its summary.
func summary(t *testing.T, stdout string) map[string]any {
	t.Helper()
	lines := jsonLines(t, stdout)
	require.NotEmpty(t, lines)
	return lines[len(lines)-1]
}

// TestTreeOnMinIO runs ls, cp -r and mirror against a real MinIO bucket
// that also holds folder objects (empty objects whose key ends in '/')
// written by another tool: they show as prefixes, are never copied as
// files, and a second mirror of an unchanged tree copies nothing.
func TestTreeOnMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := minioAdmin(t, srv)
	c := newCLI(t)
	store := minioURL(srv, "tree", "")
	c.ok("", "mb", store)
	files := map[string]string{
		"x.txt":     "one",
		"a/y":       "two",
		"a/b/z.bin": string(payload(200_000)),
	}
	for name, data := range files {
		c.writeFile("src/"+name, []byte(data))
	}

	// A directory up to a prefix.
	r := c.ok("", "cp", "-r", "src", store+"#caps")
	assert.Contains(t, r.stdout, "copied 3 files (200006 bytes)")
	assert.Equal(t, []string{"caps/a/b/z.bin", "caps/a/y", "caps/x.txt"}, bucketKeys(t, adm, "tree", ""))
	c.ok("line\n", "--url", store, "stream", "put", "--lines", "caps/s1")

	// Folder objects, as consoles and GUI clients make them.
	for _, k := range []string{"caps/", "caps/a/", "caps/empty/", "caps/empty/deeper/"} {
		_, err := adm.PutObject(t.Context(), "tree", k, strings.NewReader(""), 0, miniogo.PutObjectOptions{})
		require.NoError(t, err)
	}

	// ls: one level shows each folder once, as a prefix, never the folder
	// object of the level listed.
	assert.Equal(t, [][]string{{"PRE", "-", "caps/"}}, lsFields(c.ok("", "--url", store, "ls").stdout))
	assert.Equal(t, [][]string{
		{"PRE", "-", "caps/a/"},
		{"PRE", "-", "caps/empty/"},
		{"stream:closed", "5", "caps/s1"},
		{"obj", "3", "caps/x.txt"},
	}, lsFields(c.ok("", "--url", store, "ls", "caps/").stdout))
	assert.Equal(t, lsFields(c.ok("", "--url", store, "ls", "caps/").stdout), lsFields(c.ok("", "--url", store, "ls", "caps").stdout))
	assert.Equal(t, [][]string{{"PRE", "-", "caps/empty/deeper/"}}, lsFields(c.ok("", "--url", store, "ls", "caps/empty/").stdout))
	assert.Empty(t, c.ok("", "--url", store, "ls", "caps/empty/deeper/").stdout)
	r = c.ok("", "--url", store, "--json", "ls", "--summarize", "caps/a/")
	assert.Equal(t, []map[string]any{
		{"type": "prefix", "key": "caps/a/b/"},
		jsonLines(t, r.stdout)[1],
		{"type": "summary", "objects": float64(1), "prefixes": float64(1), "streams": float64(0), "bytes": float64(3)},
	}, jsonLines(t, r.stdout))
	assert.Equal(t, "caps/a/y", jsonLines(t, r.stdout)[1]["key"])
	// -r lists every key, the folder objects too (rm --prefix removes them).
	assert.Equal(t, "caps/\ncaps/a/\ncaps/a/b/z.bin\ncaps/a/y\ncaps/empty/\ncaps/empty/deeper/\ncaps/s1/s1.0\ncaps/x.txt\n",
		c.ok("", "--url", store, "ls", "-r", "caps/").stdout)

	// A prefix down to a directory: the files and the stream, no file or
	// failure for the folder objects.
	r = c.ok("", "cp", "-r", store+"#caps", "down")
	assert.Contains(t, r.stdout, "copied 4 files (200011 bytes)")
	want := map[string]string{"s1": "line\n"}
	for k, v := range files {
		want[k] = v
	}
	assert.Equal(t, want, tree(t, c.path("down")))

	// mirror MinIO -> file://, then again: nothing copied the second time.
	other := "file://" + filepath.Join(t.TempDir(), "o")
	r = c.ok("", "--json", "mirror", store+"#caps", other+"#m")
	assert.Equal(t, float64(4), summary(t, r.stdout)["files"])
	assert.Equal(t, []string{"m/a/b/z.bin", "m/a/y", "m/s1/s1.0", "m/x.txt"}, keys(t, other))
	r = c.ok("", "--json", "mirror", store+"#caps", other+"#m")
	assert.Equal(t, float64(0), summary(t, r.stdout)["files"], r.stdout)
	assert.Equal(t, float64(4), summary(t, r.stdout)["up_to_date"])
	assert.Len(t, jsonLines(t, r.stdout), 1, "no transfer line")

	// mirror local -> MinIO: again copies nothing; a changed file is
	// copied again, and --overwrite copies everything.
	r = c.ok("", "mirror", "src", store+"#m2")
	assert.Contains(t, r.stdout, "copied 3 files (200006 bytes), 0 up to date from src to ")
	r = c.ok("", "mirror", "src", store+"#m2")
	assert.Contains(t, r.stdout, "copied 0 files (0 bytes), 3 up to date")
	c.writeFile("src/a/y", []byte("changed"))
	r = c.ok("", "--json", "mirror", "src", store+"#m2")
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 2, r.stdout)
	assert.Equal(t, "src/a/y", lines[0]["from"])
	assert.Equal(t, float64(1), lines[1]["files"])
	assert.Equal(t, float64(2), lines[1]["up_to_date"])
	assert.Equal(t, "changed", c.ok("", "--url", store, "cat", "m2/a/y").stdout)
	assert.Equal(t, float64(3), summary(t, c.ok("", "--json", "mirror", "--overwrite", "src", store+"#m2").stdout)["files"])
	// A dry run counts the same way.
	assert.Contains(t, c.ok("", "mirror", "-n", "src", store+"#m2").stdout, "would copy 0 files (0 bytes), 3 up to date")

	// MinIO -> MinIO in one bucket (server-side), with --remove: the
	// folder objects are neither copied nor removed.
	_, err := adm.PutObject(t.Context(), "tree", "copy/", strings.NewReader(""), 0, miniogo.PutObjectOptions{})
	require.NoError(t, err)
	c.ok("old", "--url", store, "put", "copy/stale")
	r = c.ok("", "--url", store, "mirror", "--remove", ":caps", ":copy")
	assert.Contains(t, r.stdout, "copied 4 files (200011 bytes), 0 up to date, removed 1")
	assert.Equal(t, []string{"copy/", "copy/a/b/z.bin", "copy/a/y", "copy/s1/s1.0", "copy/x.txt"}, bucketKeys(t, adm, "tree", "copy/"))
	r = c.ok("", "--url", store, "mirror", "--remove", ":caps", ":copy")
	assert.Contains(t, r.stdout, "copied 0 files (0 bytes), 4 up to date, removed 0")
	assert.Equal(t, "line\n", c.ok("", "--url", store, "stream", "get", "copy/s1").stdout)
}
