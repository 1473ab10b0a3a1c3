package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCp(t *testing.T) {
	c := newCLI(t)
	storeA := "file://" + filepath.Join(t.TempDir(), "a")
	storeB := "file://" + filepath.Join(t.TempDir(), "b")
	data := payload(300_000)
	c.writeFile("local.bin", data)

	// Local file -> the --url store (":KEY"), with metadata.
	c.ok("", "--url", storeA, "cp", "local.bin", ":caps/one.bin", "--meta", "Host=h1", "--content-type", "application/x-test")
	assert.Equal(t, string(data), c.ok("", "--url", storeA, "cat", "caps/one.bin").stdout)

	// Store -> store by URL#KEY: bytes, content type and metadata copied.
	r := c.ok("", "cp", storeA+"#caps/one.bin", storeB+"#copied/one.bin")
	assert.Contains(t, r.stdout, "300000 bytes")
	assert.Equal(t, string(data), c.ok("", "--url", storeB, "cat", "copied/one.bin").stdout)
	st := jsonLines(t, c.ok("", "--url", storeB, "--json", "stat", "copied/one.bin").stdout)[0]
	assert.Equal(t, map[string]any{"host": "h1"}, st["metadata"])
	assert.Equal(t, "application/x-test", st["content_type"])

	// A DST key ending in '/' gets the source's last segment.
	c.ok("", "cp", storeA+"#caps/one.bin", storeB+"#dir/")
	assert.Equal(t, "copied/one.bin\ndir/one.bin\n", c.ok("", "--url", storeB, "ls", "-r").stdout)

	// Store -> local file, local directory, stdout; stdin -> store.
	c.ok("", "cp", storeB+"#copied/one.bin", "back.bin")
	assert.Equal(t, data, c.readFile("back.bin"))
	require.NoError(t, os.Mkdir(c.path("dir"), 0o755))
	c.ok("", "cp", storeB+"#copied/one.bin", "dir")
	assert.Equal(t, data, c.readFile("dir/one.bin"))
	assert.Equal(t, string(data), c.ok("", "cp", storeB+"#copied/one.bin", "-").stdout)
	c.ok("piped", "cp", "-", storeB+"#from/stdin")
	assert.Equal(t, "piped", c.ok("", "--url", storeB, "cat", "from/stdin").stdout)

	// Keys may hold '#': the key is everything after the first one.
	c.ok("", "cp", "local.bin", storeB+"#odd#key")
	assert.Equal(t, string(data), c.ok("", "--url", storeB, "cat", "odd#key").stdout)

	// --json.
	out := jsonLines(t, c.ok("", "--json", "cp", storeA+"#caps/one.bin", storeB+"#j").stdout)
	require.Len(t, out, 1)
	assert.Equal(t, float64(len(data)), out[0]["size"])
	assert.Equal(t, storeB+"#j", out[0]["to"])

	// A missing source names the key; nothing is created.
	r = c.run("", "cp", storeA+"#nope", storeB+"#never")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "nope")
	assert.NotContains(t, c.ok("", "--url", storeB, "ls", "-r").stdout, "never")

	// Secrets in URLs never show.
	r = c.run("", "cp", "local.bin", "minio://user:hunter2@127.0.0.1:1/bucket?max_attempts=1&max_elapsed=1s#k")
	assert.NotEqual(t, 0, r.code)
	assert.NotContains(t, r.stdout+r.stderr, "hunter2")
	assert.True(t, strings.TrimSpace(r.stderr) != "", "the failure is explained")
}
