package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
)

// The scratch backend is itself a conformant Backend (but for keys too
// long to fit under its prefix).
func TestScratchBackendConforms(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		inner := mem.New()
		// Neighbours outside the prefix must stay invisible and untouched.
		_, err := inner.Put(t.Context(), "outside", strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		t.Cleanup(func() {
			_, err := inner.Stat(context.Background(), "outside")
			if !errors.Is(err, backend.ErrClosed) { // the closed check closes it
				assert.NoError(t, err, "the object outside the prefix survives")
			}
		})
		return &scratch{b: inner, prefix: "scratch/p/"}
	}, conformance.Skip(longKeyCheck), conformance.Short())
}

func TestConformanceCommand(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "store")
	url := "file://" + dir
	c.ok("", "--url", url, "put", "user/data")

	r := c.ok("", "conformance", "--short", url)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	checks := conformance.Checks()
	require.Len(t, lines, len(checks)+1, "one line per check and a summary:\n%s", r.stdout)
	for i, ch := range checks {
		assert.True(t, strings.HasPrefix(lines[i], "PASS "+ch.Name) || strings.HasPrefix(lines[i], "SKIP "+ch.Name), lines[i])
	}
	assert.Contains(t, lines[len(lines)-1], "0 failed")
	assert.Contains(t, r.stderr, longKeyCheck, "the skipped long-key check is explained")
	// The scratch prefix is gone; the user's object is untouched.
	assert.Equal(t, "user/data\n", c.ok("", "--url", url, "ls", "-r").stdout)

	// --json: one object per check, then the summary.
	r = c.ok("", "--json", "conformance", "--only", "round-trip,list-order", url)
	res := jsonLines(t, r.stdout)
	require.Len(t, res, 3)
	assert.Equal(t, "round-trip", res[0]["name"])
	assert.Equal(t, "pass", res[0]["status"])
	assert.Equal(t, true, res[2]["summary"])
	assert.Equal(t, float64(2), res[2]["passed"])
	assert.Equal(t, float64(0), res[2]["failed"])

	// At the root of an empty store every check runs, odd-keys included.
	// (conformance never creates a store: a typo must not make one.)
	emptyDir := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.Mkdir(emptyDir, 0o755))
	empty := "file://" + emptyDir
	r = c.ok("", "conformance", "--short", "--scratch", "", empty)
	assert.Contains(t, r.stdout, "PASS odd-keys")
	// ... and refuses a store that holds objects.
	r = c.run("", "conformance", "--scratch", "", url)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "already holds objects")

	// --list names every check; an unknown check is a usage error.
	assert.Contains(t, c.ok("", "conformance", "--list").stdout, "round-trip")
	r = c.run("", "conformance", "--only", "no-such-check", url)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "no-such-check")
	r = c.run("", "conformance", "--skip", "no-such-check", url)
	assert.Equal(t, exitUsage, r.code)
}

// TestConformanceFails proves that the command reports failures: under a
// scratch prefix that the fs store cannot hold (the object "blocked"
// exists, so "blocked/..." cannot be a directory), every put fails, and
// the command prints FAIL lines and exits 1.
func TestConformanceFails(t *testing.T) {
	c := newCLI(t)
	url := "file://" + filepath.Join(t.TempDir(), "store")
	c.ok("x", "--url", url, "put", "blocked")

	r := c.run("", "conformance", "--scratch", "blocked/", "--only", "round-trip,overwrite", url)
	assert.Equal(t, exitFailure, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "FAIL round-trip")
	assert.Contains(t, r.stdout, "FAIL overwrite")
	assert.Contains(t, r.stdout, "0 passed, 0 skipped, 2 failed")
	assert.Contains(t, r.stderr, "2 of 2 checks failed")
	assert.Equal(t, "blocked\n", c.ok("", "--url", url, "ls", "-r").stdout, "the user's object is untouched")
}
