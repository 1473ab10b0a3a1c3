package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompletion(t *testing.T) {
	c := newCLI(t)
	assert.Contains(t, c.ok("", "completion", "bash").stdout, "__start_objstore")
	assert.Contains(t, c.ok("", "completion", "zsh").stdout, "#compdef objstore")
	assert.Contains(t, c.ok("", "completion", "fish").stdout, "complete -c objstore")

	// Keys complete from the store.
	c.ok("x", "put", "caps/a.pcap")
	c.ok("x", "put", "caps/b.pcap")
	c.ok("x", "put", "logs/z")
	out := c.ok("", "__complete", "cat", "caps/").stdout
	assert.Contains(t, out, "caps/a.pcap\ncaps/b.pcap\n")
	assert.NotContains(t, out, "logs/z")
	out = c.ok("", "__complete", "get", "lo").stdout
	assert.Contains(t, out, "logs/z\n")
	assert.Contains(t, c.ok("", "__complete", "st").stdout, "stat")
}

func TestVersion(t *testing.T) {
	c := newCLI(t)
	out := c.ok("", "version").stdout
	assert.True(t, strings.HasPrefix(out, "objstore "), out)
	for _, s := range []string{"file", "mem", "minio", "s3", "gs", "azblob"} {
		assert.Contains(t, out, s, "the drivers built in")
	}
	v := jsonLines(t, c.ok("", "--json", "version").stdout)
	require.Len(t, v, 1)
	assert.Contains(t, v[0]["schemes"], "minio")
	assert.NotEmpty(t, v[0]["go"])
	assert.Equal(t, exitUsage, c.run("", "version", "extra").code)
}

func TestHealth(t *testing.T) {
	c := newCLI(t)
	// A missing store is not healthy, and health does not create it.
	r := c.run("", "health")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no store at file://./objstore-data")
	c.ok("", "mb")
	// fs has no health checks: the listing that checks the credentials
	// and the bucket probes it.
	r = c.ok("", "health")
	assert.Contains(t, r.stdout, "file://./objstore-data")
	assert.Contains(t, r.stdout, "ready")
	assert.Regexp(t, `(?m)^credentials\s+ok\b`, r.stdout)
	assert.Regexp(t, `(?m)^bucket\s+ok\b`, r.stdout)
	assert.Contains(t, r.stderr, "no health checks")
	h := jsonLines(t, c.ok("", "--json", "health").stdout)
	require.Len(t, h, 3)
	assert.Equal(t, true, h[0]["ready"])
	assert.Equal(t, true, h[0]["probe"])
	assert.Equal(t, "file://./objstore-data", h[0]["endpoint"])
	assert.Equal(t, "credentials", h[1]["check"])
	assert.Equal(t, true, h[1]["ok"])
	assert.Equal(t, "bucket", h[2]["check"])

	// A MinIO endpoint that nobody serves: down, exit 1, no secret shown.
	r = c.run("", "health", "--timeout", "20s", "minio://user:hunter2@127.0.0.1:1/bucket?max_attempts=1&max_elapsed=1s")
	assert.Equal(t, exitFailure, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, "hunter2")
	assert.Contains(t, r.stdout+r.stderr, "127.0.0.1:1")
	assert.Regexp(t, `(?m)^credentials\s+unknown\b`, r.stdout)
}

func TestHelp(t *testing.T) {
	c := newCLI(t)
	out := c.ok("", "--help").stdout
	for _, cmd := range []string{"put", "get", "cat", "ls", "stat", "rm", "cp", "stream", "health", "conformance", "completion", "version",
		"mb", "rb", "presign"} {
		assert.Contains(t, out, "\n  "+cmd+" ", "help lists %s", cmd)
	}
	assert.Contains(t, out, "OBJSTORE_URL")
}
