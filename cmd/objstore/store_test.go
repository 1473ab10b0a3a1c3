package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadOnlyCommandsNeverCreateAStore: with no store (the default
// directory missing, or a typo in a file:// URL), every command that only
// reads or removes fails with exit 1 and a message that names the URL and
// how to create it, and creates nothing; put, cp to, stream put and mb
// create the store.
func TestReadOnlyCommandsNeverCreateAStore(t *testing.T) {
	c := newCLI(t)
	typo := "file://" + filepath.Join(c.dir, "typo-dir", "sub")
	readers := [][]string{
		{"ls"}, {"get", "k"}, {"cat", "k"}, {"stat", "k"}, {"stream", "get", "s"}, {"stream", "get", "-f", "s"},
		{"stream", "ls"}, {"health"}, {"watch", "p/"}, {"rm", "k"}, {"rm", "--prefix", "p/", "--force"},
		{"stream", "rm", "s"}, {"stream", "compact", "s", "d"}, {"presign", "get", "k"}, {"rb"},
		{"cp", ":k", "out.txt"}, {"conformance", "--only", "round-trip"},
	}
	for _, args := range readers {
		r := c.run("", args...)
		assert.Equal(t, exitFailure, r.code, "objstore %q: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "no store at file://./objstore-data", "objstore %q", args)
		assert.Contains(t, r.stderr, "objstore mb file://./objstore-data", "objstore %q", args)
		assert.NoDirExists(t, c.path("objstore-data"), "objstore %q created the store", args)

		r = c.run("", append([]string{"--url", typo}, args...)...)
		assert.Equal(t, exitFailure, r.code, "objstore --url %s %q: %s", typo, args, r.stderr)
		assert.Contains(t, r.stderr, "no store at "+typo)
		assert.NoDirExists(t, c.path("typo-dir"), "objstore %q created the typo's directory", args)
	}
	assert.NoFileExists(t, c.path("out.txt"))
	// --json: kind not_found, exit 1.
	r := c.run("", "--json", "ls")
	assert.Contains(t, r.stderr, `"kind":"not_found"`)
	assert.Contains(t, r.stderr, `"exit":1`)

	// The writers create a file:// store.
	for i, args := range [][]string{
		{"put", "k"}, {"stream", "put", "s"}, {"cp", "-", ":k"}, {"mb"},
	} {
		dir := filepath.Join(c.dir, "new", string(rune('a'+i)))
		c.ok("data", append([]string{"--url", "file://" + dir}, args...)...)
		assert.DirExists(t, dir, "objstore %q creates the store", args)
	}
	dst := filepath.Join(c.dir, "new", "cp-dst")
	c.ok("", "--url", "file://"+filepath.Join(c.dir, "new", "a"), "cp", ":k", "file://"+dst+"#k2")
	assert.DirExists(t, dst, "cp to a store creates it")
}

// TestMemRefused: mem:// is refused by every command but conformance,
// with the reason.
func TestMemRefused(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"--url", "mem://", "ls"}, {"--url", "mem://", "put", "k"}, {"health", "mem://"},
		{"cp", "-", "mem://#k"}, {"--url", "mem://x", "stream", "put", "s"}, {"mb", "mem://"},
	} {
		r := c.run("data", args...)
		assert.Equal(t, exitUsage, r.code, "objstore %q: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "gone when the command exits", "objstore %q says why", args)
		assert.Contains(t, r.stderr, "conformance", "objstore %q says where it is accepted", args)
	}
	r := c.ok("", "conformance", "--only", "round-trip", "mem://")
	assert.Contains(t, r.stdout, "PASS round-trip")
}

// TestStoreURLWording: an unknown scheme or a path instead of a URL is a
// usage error that says what to write, not "check the driver's
// capabilities".
func TestStoreURLWording(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "--url", "foo://x/y", "ls")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `ls: unknown URL scheme "foo"`)
	assert.Contains(t, r.stderr, "file, gs, minio, s3")
	assert.NotContains(t, r.stderr, "capabilities")
	assert.NotContains(t, r.stderr, "not supported by this backend")

	r = c.run("", "--url", "./data", "ls")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "file://./data")
	r = c.run("", "--url", "/srv/objects", "ls")
	assert.Contains(t, r.stderr, "file:///srv/objects")
	r = c.run("", "cp", "-", "foo://x#k")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `cp: unknown URL scheme "foo"`)
}

// TestGetLocalFile: get creates the parent directories of FILE, refuses
// to overwrite a file unless --force, and names the operation, the key
// and the file in its errors, never a temporary name.
func TestGetLocalFile(t *testing.T) {
	c := newCLI(t)
	c.ok("new", "put", "dir/file.txt")

	r := c.ok("", "get", "dir/file.txt", "nodir/sub/file.txt")
	assert.Contains(t, r.stdout, "got dir/file.txt -> nodir/sub/file.txt (3 bytes)")
	assert.Equal(t, "new", string(c.readFile("nodir/sub/file.txt")))
	r = c.ok("", "get", "dir/file.txt", "into/")
	assert.Equal(t, "new", string(c.readFile("into/file.txt")))

	// No FILE: ./file.txt; an existing one is kept.
	c.writeFile("file.txt", []byte("mine"))
	r = c.run("", "get", "dir/file.txt")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `get "dir/file.txt": file.txt: the file exists`)
	assert.Contains(t, r.stderr, "--force")
	assert.Equal(t, "mine", string(c.readFile("file.txt")))
	assert.Contains(t, c.run("", "--json", "get", "dir/file.txt").stderr, `"kind":"exist"`)
	c.ok("", "get", "--force", "dir/file.txt")
	assert.Equal(t, "new", string(c.readFile("file.txt")))
	c.writeFile("file.txt", []byte("mine"))
	c.ok("", "get", "-f", "dir/file.txt", "file.txt")
	assert.Equal(t, "new", string(c.readFile("file.txt")))

	// A missing key creates no directory.
	r = c.run("", "get", "nope", "made/sub/x")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `get "nope"`)
	assert.NoDirExists(t, c.path("made"))

	// A directory that cannot be written: the error names get, the key
	// and the file, never the temporary file.
	if os.Geteuid() != 0 {
		require.NoError(t, os.MkdirAll(c.path("ro"), 0o755))
		require.NoError(t, os.Chmod(c.path("ro"), 0o555))
		t.Cleanup(func() { _ = os.Chmod(c.path("ro"), 0o755) })
		r = c.run("", "get", "dir/file.txt", "ro/sub/file.txt")
		assert.Equal(t, exitFailure, r.code)
		assert.Contains(t, r.stderr, `get "dir/file.txt": writing ro/sub/file.txt: permission denied`)
		assert.NotContains(t, r.stderr, ".objstore-")
		r = c.run("", "get", "dir/file.txt", "ro/file.txt")
		assert.Contains(t, r.stderr, `get "dir/file.txt": writing ro/file.txt: permission denied`)
		assert.NotContains(t, r.stderr, ".objstore-")
		assert.Contains(t, c.run("", "--json", "get", "dir/file.txt", "ro/file.txt").stderr, `"kind":"permission"`)
	}

	// put of a missing file names put, the key and the file.
	r = c.run("", "put", "k", "no-such-file")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `put "k": reading no-such-file: no such file or directory`)
}

// TestWording: counts agree with their nouns, sizes say what is wrong,
// and the command's errors name its own commands, not library functions.
func TestWording(t *testing.T) {
	c := newCLI(t)
	r := c.ok("one\n", "stream", "put", "--lines", "s")
	assert.Contains(t, r.stdout, "stream s: 1 chunk, 4 bytes")
	assert.Contains(t, c.ok("", "stat", "s").stdout, "closed, 1 chunk\n")
	assert.Contains(t, c.ok("", "stream", "ls").stdout, " 1 chunk ")
	c.ok("x", "put", "one")
	assert.Contains(t, c.ok("", "rm", "--prefix", "one", "--force").stdout, "removed 1 object under")

	// A closed stream: the command to remove it, not a library function.
	r = c.run("two\n", "stream", "put", "--lines", "s")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `stream put "s"`)
	assert.Contains(t, r.stderr, "objstore stream rm s")
	assert.NotContains(t, r.stderr, "RemoveObjects")
	r = c.run("x", "put", "s/s.0")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `put "s/s.0"`)
	assert.Contains(t, r.stderr, "objstore stream rm s")
	assert.NotContains(t, r.stderr, "RemoveObjects")
	assert.NotContains(t, r.stderr, "PutStreamObject")
	r = c.ok("", "stream", "rm", "s")
	assert.Regexp(t, `removed stream s \(1 object\)|removed stream s \(\d+ objects\)`, r.stdout)
	assert.NotContains(t, r.stdout, "1 objects")

	// --chunk-size: fractions that make whole bytes are sizes.
	c.ok(strings.Repeat("x", 3<<20), "stream", "put", "--chunk-size", "1.5MiB", "big")
	r = c.run("", "stream", "put", "--chunk-size", "1.3B", "bad")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `--chunk-size "1.3B" is not a whole number of bytes`)
	r = c.run("", "stream", "put", "--chunk-size", "lots", "bad")
	assert.Contains(t, r.stderr, `--chunk-size "lots": not a size`)
	assert.NotContains(t, r.stderr, "want a positive number")
	r = c.run("", "stream", "put", "--chunk-size", "0", "bad")
	assert.Contains(t, r.stderr, "more than 0 bytes")
}

// TestBucketsOnFile: mb and rb on file:// stores.
func TestBucketsOnFile(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.dir, "a", "b")
	url := "file://" + dir
	assert.Contains(t, c.ok("", "mb", url).stdout, "made store "+url)
	assert.DirExists(t, dir)
	r := c.run("", "mb", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "mb: the store "+url+" exists already")
	assert.NotContains(t, r.stderr, "object already exists")
	c.ok("", "mb", "-p", url)
	c.ok("x", "--url", url, "put", "k")
	r = c.run("", "rb", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "not empty")
	c.ok("", "--url", url, "rm", "k")
	assert.Contains(t, c.ok("", "rb", url).stdout, "removed store "+url)
	assert.NoDirExists(t, dir)
	r = c.run("", "rb", url)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no store at "+url)

	// presign: file:// stores cannot sign.
	c.ok("", "mb")
	r = c.run("", "presign", "get", "k")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `presign get "k": a file:// store cannot sign URLs`)
	assert.Equal(t, exitUsage, c.run("", "presign", "post", "k").code)
	assert.Equal(t, exitUsage, c.run("", "presign", "get", "k", "--content-type", "text/plain").code)
	assert.Equal(t, exitUsage, c.run("", "presign", "get", "k", "--expiry", "0s").code)
}
