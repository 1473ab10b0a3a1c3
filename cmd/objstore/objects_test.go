package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutGetCatOnTheDefaultStore(t *testing.T) {
	c := newCLI(t)
	data := payload(100_000)
	c.writeFile("in.bin", data)

	r := c.ok("", "put", "caps/a.bin", "in.bin", "--meta", "Host=h1", "--meta", "iface=eth0")
	assert.Contains(t, r.stdout, "put caps/a.bin (100000 bytes)")
	// The embedded default is file://./objstore-data in the working directory.
	stored, err := os.ReadDir(c.path("objstore-data"))
	require.NoError(t, err)
	assert.NotEmpty(t, stored, "the default store is ./objstore-data")

	assert.Equal(t, string(data), c.ok("", "cat", "caps/a.bin").stdout)
	assert.Equal(t, string(data), c.ok("", "get", "caps/a.bin", "-").stdout)

	// get without FILE writes the key's last segment here.
	r = c.ok("", "get", "caps/a.bin")
	assert.Contains(t, r.stdout, "a.bin")
	assert.Equal(t, data, c.readFile("a.bin"))
	// Into a directory, and to a named file.
	require.NoError(t, os.Mkdir(c.path("out"), 0o755))
	c.ok("", "get", "caps/a.bin", "out")
	assert.Equal(t, data, c.readFile("out/a.bin"))
	c.ok("", "get", "caps/a.bin", "named.bin")
	assert.Equal(t, data, c.readFile("named.bin"))

	// stdin, with - and without FILE.
	c.ok("from stdin", "put", "caps/stdin1", "-")
	c.ok("also stdin", "put", "caps/stdin2")
	assert.Equal(t, "from stdin", c.ok("", "cat", "caps/stdin1").stdout)
	assert.Equal(t, "also stdin", c.ok("", "cat", "caps/stdin2").stdout)
	// An empty object.
	c.ok("", "put", "caps/empty")
	assert.Equal(t, "", c.ok("", "cat", "caps/empty").stdout)

	// --quiet prints nothing on success.
	r = c.ok("q", "--quiet", "put", "caps/q")
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestURLFromFlagAndEnvironment(t *testing.T) {
	c := newCLI(t)
	flagDir := filepath.Join(t.TempDir(), "flagstore")
	envDir := filepath.Join(t.TempDir(), "envstore")

	c.ok("flag", "--url", "file://"+flagDir, "put", "k")
	c.env = []string{envURL + "=file://" + envDir}
	c.ok("env", "put", "k")
	assert.Equal(t, "env", c.ok("", "cat", "k").stdout, "OBJSTORE_URL is used without --url")
	assert.Equal(t, "flag", c.ok("", "--url", "file://"+flagDir, "cat", "k").stdout, "--url wins over OBJSTORE_URL")
	_, err := os.Stat(c.path("objstore-data"))
	assert.True(t, os.IsNotExist(err), "the default store is not used when a URL is given")

	// An unknown scheme or a bad URL is a usage error, and no secret is shown.
	r := c.run("", "--url", "nosuch://user:hunter2@host/b", "ls")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "nosuch")
	assert.NotContains(t, r.stderr+r.stdout, "hunter2")
	r = c.run("", "--url", "minio://user:hunter2@127.0.0.1:1/bucket?nosuchoption=1", "ls")
	assert.NotEqual(t, 0, r.code)
	assert.NotContains(t, r.stderr+r.stdout, "hunter2")
}

func TestLsStatJSON(t *testing.T) {
	c := newCLI(t)
	c.ok("one", "put", "logs/b", "--content-type", "text/x-log", "--meta", "Owner=ops")
	c.ok("twotwo", "put", "logs/a")
	c.ok("x", "put", "other/c")

	assert.Equal(t, "logs/a\nlogs/b\nother/c\n", c.ok("", "ls", "-r").stdout)
	assert.Equal(t, "logs/a\nlogs/b\n", c.ok("", "ls", "-r", "logs/").stdout)
	assert.Equal(t, "", c.ok("", "ls", "-r", "nothing/").stdout)

	long := strings.Split(strings.TrimSpace(c.ok("", "ls", "--long", "logs/").stdout), "\n")
	require.Len(t, long, 2)
	f := strings.Fields(long[0])
	require.Len(t, f, 4, "size, mtime, etag, key: %q", long[0])
	assert.Equal(t, "6", f[0])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, f[1])
	assert.NotEmpty(t, f[2])
	assert.Equal(t, "logs/a", f[3])

	objs := jsonLines(t, c.ok("", "ls", "--json", "logs/").stdout)
	require.Len(t, objs, 2)
	assert.Equal(t, "logs/a", objs[0]["key"])
	assert.Equal(t, float64(6), objs[0]["size"])
	assert.NotEmpty(t, objs[0]["etag"])
	assert.NotEmpty(t, objs[0]["last_modified"])

	r := c.ok("", "stat", "logs/b")
	assert.Contains(t, r.stdout, "size:          3\n")
	assert.Contains(t, r.stdout, "content-type:  text/x-log\n")
	assert.Contains(t, r.stdout, "meta:          owner=ops\n")

	st := jsonLines(t, c.ok("", "--json", "stat", "logs/b").stdout)
	require.Len(t, st, 1)
	assert.Equal(t, map[string]any{"owner": "ops"}, st[0]["metadata"])
	assert.Equal(t, "text/x-log", st[0]["content_type"])
	assert.Equal(t, false, st[0]["stream"])
	assert.Equal(t, float64(3), st[0]["size"])
	for _, k := range []string{"key", "size", "last_modified", "etag", "content_type", "metadata", "stream", "in_progress", "chunks"} {
		assert.Contains(t, st[0], k)
	}

	put := jsonLines(t, c.ok("abc", "--json", "put", "j/k").stdout)
	require.Len(t, put, 1)
	assert.Equal(t, "j/k", put[0]["key"])
	assert.Equal(t, float64(3), put[0]["size"])
}

func TestErrorsAndExitCodes(t *testing.T) {
	c := newCLI(t)
	c.ok("x", "put", "present")

	for _, args := range [][]string{
		{"cat", "no/such/key"}, {"get", "no/such/key", "-"}, {"stat", "no/such/key"}, {"rm", "no/such/key"},
		{"stream", "get", "no/such/key"}, {"stream", "get", "--follow", "no/such/key"},
	} {
		r := c.run("", args...)
		assert.Equal(t, exitFailure, r.code, "objstore %q", args)
		assert.Contains(t, r.stderr, "no/such/key", "objstore %q: the error names the key", args)
		assert.Contains(t, r.stderr, "not found", "objstore %q", args)
	}
	// A failed get does not leave a file behind.
	r := c.run("", "get", "no/such/key", "out.bin")
	assert.Equal(t, exitFailure, r.code)
	entries, err := os.ReadDir(c.dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "out.bin", "a failed get leaves no file")
	}

	// Usage errors: exit 2 with a pointer to --help.
	for _, args := range [][]string{
		{"nosuchcommand"}, {"put"}, {"cat"}, {"cat", "a", "b"}, {"ls", "--nosuchflag"},
		{"put", "k", "--meta", "novalue"}, {"cat", "a//b"}, {"stat", "/abs"}, {"ls", "../x"},
		{"stream", "put", "s", "--chunk-size", "lots"}, {"stream", "get", "s", "--from", "-1"},
		{"cp", "a", "b"}, {"cp", "file:///tmp/x", "y"}, {"rm", "--prefix"},
	} {
		r := c.run("", args...)
		assert.Equal(t, exitUsage, r.code, "objstore %q: stdout %q stderr %q", args, r.stdout, r.stderr)
		assert.Contains(t, r.stderr, "--help", "objstore %q", args)
	}

	// --json errors are one JSON object on stderr.
	r = c.run("", "--json", "cat", "missing")
	assert.Equal(t, exitFailure, r.code)
	e := jsonLines(t, r.stderr)
	require.Len(t, e, 1)
	assert.Equal(t, "not_found", e[0]["kind"])
	assert.Equal(t, float64(1), e[0]["exit"])
	assert.Contains(t, e[0]["error"], "missing")
	r = c.run("", "--json", "cat", "a//b")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "invalid_key", jsonLines(t, r.stderr)[0]["kind"])

	// A plain object read as a stream, and a stream read as an object, say so.
	c.ok("l1\n", "stream", "put", "--lines", "s/str")
	r = c.run("", "cat", "s/str")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "stream get")
	r = c.run("", "stream", "get", "present")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "not a stream")
}

func TestRm(t *testing.T) {
	c := newCLI(t)
	for _, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
		c.ok(k, "put", k)
	}
	r := c.ok("", "rm", "a/1")
	assert.Contains(t, r.stdout, "removed a/1")
	assert.Equal(t, "a/2\na/3\nb/1\n", c.ok("", "ls", "-r").stdout)

	// --prefix without a terminal and without --force: refused, nothing removed.
	r = c.run("", "rm", "--prefix", "a/")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "2 objects")
	assert.Contains(t, r.stderr, "--force")
	assert.Equal(t, "a/2\na/3\nb/1\n", c.ok("", "ls", "-r").stdout)

	r = c.ok("", "--json", "rm", "--prefix", "a/", "--force")
	assert.Equal(t, []map[string]any{{"prefix": "a/", "removed": float64(2)}}, jsonLines(t, r.stdout))
	assert.Equal(t, "b/1\n", c.ok("", "ls", "-r").stdout)
	// Nothing under a prefix: nothing to confirm.
	assert.Contains(t, c.ok("", "rm", "--prefix", "zzz/").stdout, "nothing to remove")

	// rm of a stream removes its chunks and marker, not its neighbours.
	c.ok("x\ny\n", "stream", "put", "--lines", "s/cap")
	c.ok("keep", "put", "s/cap/notes")
	r = c.ok("", "rm", "s/cap")
	assert.Contains(t, r.stdout, "removed stream s/cap (2 objects)")
	assert.Equal(t, "b/1\ns/cap/notes\n", c.ok("", "ls", "-r").stdout)
}
