package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// bin is the objstore command built once by TestMain; the tests run it as
// a user would.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "objstore-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "objstore")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the objstore command:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		// testserver starts servers from one thread that lives as long
		// as the process, on purpose (see its onSpawnThread).
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/objstore-dev/objstore/internal/testserver.spawnLoop")); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the command produced.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the command in a working directory of its own, without
// OBJSTORE_URL unless env sets it, so the default store is
// dir/objstore-data.
type cli struct {
	t   *testing.T
	dir string
	env []string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, dir: t.TempDir()}
}

// command returns the exec.Cmd of one run, for tests that need to drive
// it themselves.
func (c *cli) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.dir
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envURL+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, c.env...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs the command with stdin and returns what it did; it fails the
// test only if the command could not be run at all.
func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	return c.runReader(strings.NewReader(stdin), args...)
}

func (c *cli) runReader(stdin io.Reader, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := c.command(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("running objstore %q: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// ok runs the command and requires success.
func (c *cli) ok(stdin string, args ...string) result {
	c.t.Helper()
	r := c.run(stdin, args...)
	require.Equal(c.t, 0, r.code, "objstore %q failed:\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
	return r
}

// path is a file in the working directory.
func (c *cli) path(name string) string { return filepath.Join(c.dir, name) }

func (c *cli) writeFile(name string, data []byte) string {
	c.t.Helper()
	p := c.path(name)
	require.NoError(c.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(c.t, os.WriteFile(p, data, 0o644))
	return p
}

func (c *cli) readFile(name string) []byte {
	c.t.Helper()
	data, err := os.ReadFile(c.path(name))
	require.NoError(c.t, err)
	return data
}

// jsonLines decodes one JSON object per line.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "line %q", line)
		out = append(out, m)
	}
	return out
}

// payload returns n deterministic, incompressible-looking bytes.
func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
