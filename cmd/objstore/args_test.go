package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestObjectFlagErrorsExitUsage: every wrong value of --meta and
// --content-type is an argument error (exit 2, with a message naming the
// flag), on every command that takes them, and nothing is stored.
func TestObjectFlagErrorsExitUsage(t *testing.T) {
	c := newCLI(t)
	c.writeFile("in.txt", []byte("data"))
	c.ok("src", "put", "src")
	type tc struct {
		flags []string
		want  string
	}
	flagCases := []tc{
		{[]string{"--meta", "noequals"}, "--meta"},
		{[]string{"--meta", "=v"}, "--meta"},
		{[]string{"--meta", "bad key=v"}, "--meta"},
		{[]string{"--meta", "1st=v"}, "--meta"},
		{[]string{"--meta", "k=line1\nline2"}, "--meta"},
		{[]string{"--meta", "k=cr\rlf"}, "--meta"},
		{[]string{"--meta", "k="}, "--meta"},
		{[]string{"--meta", "k= padded "}, "--meta"},
		{[]string{"--meta", "k=a", "--meta", "K=b"}, "--meta"},
		{[]string{"--meta", "k=" + strings.Repeat("x", 3000)}, "--meta"},
		{[]string{"--content-type", "text/plain; charset=ü"}, "--content-type"},
		{[]string{"--content-type", " text/plain"}, "--content-type"},
		{[]string{"--content-type", "text/plain\r\nX-Evil: 1"}, "--content-type"},
	}
	commands := map[string][]string{
		"put":        {"put", "dst"},
		"put FILE":   {"put", "dst", "in.txt"},
		"cp up":      {"cp", "in.txt", ":dst"},
		"cp obj":     {"cp", ":src", ":dst"},
		"stream put": {"stream", "put", "dst"},
	}
	for name, cmd := range commands {
		for _, f := range flagCases {
			if name == "stream put" && f.want == "--content-type" {
				continue // stream put takes no --content-type
			}
			args := append(append([]string{}, cmd...), f.flags...)
			r := c.run("stdin data", args...)
			assert.Equal(t, exitUsage, r.code, "objstore %q: %s", args, r.stderr)
			assert.Contains(t, r.stderr, f.want, "objstore %q", args)
			assert.Contains(t, r.stderr, "--help", "objstore %q: a usage error points to --help", args)
			ls := c.ok("", "ls", "-r").stdout
			assert.NotContains(t, ls, "dst", "objstore %q stored something", args)
		}
	}
	// --json says "usage" and exit 2 too.
	r := c.run("", "--json", "put", "dst", "--meta", "bad key=v")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `"kind":"usage"`)
	assert.Contains(t, r.stderr, `"exit":2`)
}

// TestPutSize: --size N refuses an input shorter or longer than N bytes
// (exit 1, nothing stored, the error names the key and both sizes), and
// stores an input of exactly N bytes; stdin as a pipe or a file, or FILE.
func TestPutSize(t *testing.T) {
	c := newCLI(t)
	c.ok("old", "put", "k")

	// Short: the producer died after "partial\n".
	r := c.run("partial\n", "put", "k", "-", "--size", "100")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `"k"`)
	assert.Contains(t, r.stderr, "8 bytes")
	assert.Contains(t, r.stderr, "100")
	assert.Equal(t, "old", c.ok("", "cat", "k").stdout, "nothing stored")

	// Long.
	r = c.run("0123456789abcdef", "put", "k", "--size", "10")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `"k"`)
	assert.Contains(t, r.stderr, "10 bytes")
	assert.Contains(t, r.stderr, "more than")
	assert.Equal(t, "old", c.ok("", "cat", "k").stdout, "nothing stored")

	// Exact.
	r = c.ok("0123456789", "put", "k", "-", "--size", "10")
	assert.Contains(t, r.stdout, "put k (10 bytes)")
	assert.Equal(t, "0123456789", c.ok("", "cat", "k").stdout)
	c.ok("", "put", "empty", "--size", "0")
	assert.Equal(t, "", c.ok("", "cat", "empty").stdout)

	// A file, given as FILE or redirected to stdin: the size is known at
	// once.
	p := c.writeFile("f.bin", []byte("12345"))
	r = c.run("", "put", "k", "f.bin", "--size", "6")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "5 bytes")
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	r = c.runReader(f, "put", "k", "--size", "4")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "5 bytes")
	assert.Equal(t, "0123456789", c.ok("", "cat", "k").stdout, "nothing stored")
	c.ok("", "put", "k", "f.bin", "--size", "5")
	assert.Equal(t, "12345", c.ok("", "cat", "k").stdout)

	// A bad --size is an argument error.
	for _, bad := range []string{"-1", "x", "1.5", ""} {
		r = c.run("", "put", "k", "--size", bad)
		assert.Equal(t, exitUsage, r.code, "--size %q: %s", bad, r.stderr)
	}
}

// TestPutInterruptedCleansUp: SIGINT while put waits on an idle stdin
// cancels the put, which removes its temporary file, and the command
// exits 130; the key's parent is then free for a put of its own.
func TestPutInterruptedCleansUp(t *testing.T) {
	c := newCLI(t)
	c.ok("x", "put", "other") // creates the store
	store := c.path("objstore-data")

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pw.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := c.command(ctx, "put", "dir/k", "-")
	cmd.Stdin = pr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	require.NoError(t, pr.Close()) // the child has it
	_, err = io.WriteString(pw, "some bytes, then nothing for a while")
	require.NoError(t, err)

	// Wait until the put is under way: its temporary file exists.
	require.Eventually(t, func() bool { return len(tempFiles(t, store)) > 0 },
		30*time.Second, 10*time.Millisecond, "the put never started")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()
	assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode(), "stderr: %s (%v)", stderr.String(), err)
	assert.Empty(t, tempFiles(t, store), "the interrupted put left its temporary file")

	r := c.ok("whole", "put", "dir", "-")
	assert.Contains(t, r.stdout, "put dir (5 bytes)")
	assert.Equal(t, "whole", c.ok("", "cat", "dir").stdout)
}

// tempFiles lists the files under dir whose name marks a temporary file
// of the fs driver.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "objstore-tmp") {
			out = append(out, p)
		}
		return nil
	})
	return out
}
