package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ptyRun is one run of the command with stderr (and, with ttyIn, stdin)
// on a pseudo-terminal, as in an interactive shell; stdout is a pipe.
type ptyRun struct {
	cmd    *exec.Cmd
	ptmx   *os.File
	stdout syncBuffer

	mu     sync.Mutex
	screen bytes.Buffer // what the command wrote to the terminal
	done   chan struct{}
}

func (c *cli) startPTY(ttyIn bool, stdin string, args ...string) *ptyRun {
	c.t.Helper()
	return c.startPTYWith(ttyIn, stdin, nil, args...)
}

// startPTYWith is startPTY with the process attributes set by attr (nil:
// none), e.g. to make the terminal the controlling one.
func (c *cli) startPTYWith(ttyIn bool, stdin string, attr func(*syscall.SysProcAttr), args ...string) *ptyRun {
	c.t.Helper()
	ptmx, tty, err := pty.Open()
	require.NoError(c.t, err)
	require.NoError(c.t, pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}))
	r := &ptyRun{ptmx: ptmx, done: make(chan struct{})}
	r.cmd = c.command(c.t.Context(), args...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, tty
	if ttyIn {
		r.cmd.Stdin = tty
	} else {
		r.cmd.Stdin = strings.NewReader(stdin)
	}
	if attr != nil {
		r.cmd.SysProcAttr = &syscall.SysProcAttr{}
		attr(r.cmd.SysProcAttr)
	}
	require.NoError(c.t, r.cmd.Start())
	require.NoError(c.t, tty.Close()) // the child has it
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			r.mu.Lock()
			r.screen.Write(buf[:n])
			r.mu.Unlock()
			if err != nil { // EIO once the child closed the terminal
				return
			}
		}
	}()
	c.t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		_ = ptmx.Close()
		<-r.done
	})
	return r
}

// syncBuffer is a bytes.Buffer that a test may read while the command
// writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.screen.String()
}

// wait waits for the command and for the terminal to be drained, and
// returns the exit code.
func (r *ptyRun) wait(t *testing.T) int {
	t.Helper()
	err := r.cmd.Wait()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal was not closed after the command ended")
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func TestProgressBarOnATerminal(t *testing.T) {
	c := newCLI(t)
	big := payload(6 << 20)
	c.writeFile("big.bin", big)

	// put of a 6 MiB file with stderr on a terminal: a bar.
	r := c.startPTY(false, "", "put", "big/one", "big.bin")
	require.Equal(t, 0, r.wait(t), r.output())
	screen := r.output()
	assert.Contains(t, screen, "put big/one")
	assert.Contains(t, screen, "100%")
	assert.Regexp(t, `[KMG]iB`, screen, "a size or rate in binary units")
	assert.Contains(t, r.stdout.String(), "put big/one (6291456 bytes)")

	// get to stdout (a pipe) with stderr on a terminal: a bar, and the data intact.
	r = c.startPTY(false, "", "get", "big/one", "-")
	require.Equal(t, 0, r.wait(t), r.output())
	assert.Contains(t, r.output(), "100%")
	assert.Equal(t, big, r.stdout.Bytes())

	// Unknown size (stdin, a pipe): a bar (a spinner with the bytes so far).
	r = c.startPTY(false, string(big), "put", "big/stdin")
	require.Equal(t, 0, r.wait(t), r.output())
	assert.Contains(t, r.output(), "put big/stdin")
	assert.Regexp(t, `[KMG]iB`, r.output(), "the bytes so far in binary units")

	// Small objects, --quiet and --json: no bar even on a terminal.
	c.writeFile("small.bin", payload(1000))
	for _, args := range [][]string{
		{"put", "small/one", "small.bin"},
		{"--quiet", "put", "big/q", "big.bin"},
		{"--json", "put", "big/j", "big.bin"},
	} {
		r = c.startPTY(false, "", args...)
		require.Equal(t, 0, r.wait(t), r.output())
		assert.NotContains(t, r.output(), "%", "objstore %q: no progress bar", args)
	}
}

func TestNoProgressBarWithoutATerminal(t *testing.T) {
	c := newCLI(t)
	big := payload(6 << 20)
	c.writeFile("big.bin", big)
	r := c.ok("", "put", "big/one", "big.bin")
	assert.Empty(t, r.stderr, "stderr is not a terminal: no bar")
	r = c.ok("", "get", "big/one", "-")
	assert.Empty(t, r.stderr)
	assert.Equal(t, string(big), r.stdout)
	r = c.runReader(bytes.NewReader(big), "put", "big/stdin")
	require.Equal(t, 0, r.code)
	assert.Empty(t, r.stderr)
}

// rm --prefix on a terminal asks, listing the count, and removes only
// after a yes.
func TestRmPrefixConfirmsOnATerminal(t *testing.T) {
	c := newCLI(t)
	for _, k := range []string{"t/1", "t/2", "t/3", "keep"} {
		c.ok(k, "put", k)
	}
	answer := func(reply string) (int, string) {
		r := c.startPTY(true, "", "rm", "--prefix", "t/")
		require.Eventually(t, func() bool { return strings.Contains(r.output(), "[y/N]") },
			20*time.Second, 10*time.Millisecond, "the prompt: %q", r.output())
		_, err := io.WriteString(r.ptmx, reply+"\n")
		require.NoError(t, err)
		code := r.wait(t)
		return code, r.output() + r.stdout.String()
	}

	code, out := answer("n")
	assert.Equal(t, exitFailure, code, out)
	assert.Contains(t, out, "Remove 3 objects under prefix \"t/\"")
	assert.Contains(t, out, "nothing removed")
	assert.Equal(t, "keep\nt/1\nt/2\nt/3\n", c.ok("", "ls", "-r").stdout)

	code, out = answer("y")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "removed 3 objects")
	assert.Equal(t, "keep\n", c.ok("", "ls", "-r").stdout)
}
