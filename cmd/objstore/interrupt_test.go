package main

import (
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCtrlC runs the command with stdin and stderr on a pseudo-terminal
// that is its controlling terminal, in a session of its own, so that a
// Ctrl-C typed on the terminal (byte 0x03) sends SIGINT to it, as in an
// interactive shell.
func (c *cli) startCtrlC(args ...string) *ptyRun {
	c.t.Helper()
	r := c.startPTYWith(true, "", func(attr *syscall.SysProcAttr) {
		attr.Setsid, attr.Setctty, attr.Ctty = true, true, 0
	}, args...)
	return r
}

// TestCtrlCOnAFollowerIsQuiet: Ctrl-C typed on the terminal of
// `stream get --follow` ends it with 130 and no error text, like tail -f.
func TestCtrlCOnAFollowerIsQuiet(t *testing.T) {
	c := newCLI(t)
	w := c.command(t.Context(), "stream", "put", "--lines", "live")
	win, err := w.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer func() { _ = w.Process.Kill(); _ = w.Wait() }()
	_, err = io.WriteString(win, "first\n")
	require.NoError(t, err)

	r := c.startCtrlC("stream", "get", "--follow", "--wait", "live")
	require.Eventually(t, func() bool { return strings.Contains(r.stdout.String(), "first\n") },
		20*time.Second, 10*time.Millisecond, "the follower prints the first chunk")
	_, err = r.ptmx.Write([]byte{0x03}) // Ctrl-C
	require.NoError(t, err)
	assert.Equal(t, exitInterrupted, r.wait(t))
	screen := r.output()
	assert.NotContains(t, screen, "canceled")
	assert.NotContains(t, screen, "objstore:")
	_ = win.Close()
	require.NoError(t, w.Wait())
}

// TestCtrlCOnWatchIsQuiet: the same for watch, which runs until Ctrl-C.
func TestCtrlCOnWatchIsQuiet(t *testing.T) {
	c := newCLI(t)
	c.ok("", "mb")
	r := c.startCtrlC("watch", "--interval", "50ms", "p/")
	time.Sleep(300 * time.Millisecond)
	_, err := r.ptmx.Write([]byte{0x03})
	require.NoError(t, err)
	assert.Equal(t, exitInterrupted, r.wait(t))
	assert.NotContains(t, r.output(), "canceled")
	assert.NotContains(t, r.output(), "objstore:")
}

// TestPutWithoutFileOnATerminal: put KEY with stdin on a terminal
// refuses (exit 2) with the hint that - reads stdin, and stores nothing;
// with - it reads the terminal until Ctrl-D.
func TestPutWithoutFileOnATerminal(t *testing.T) {
	c := newCLI(t)
	c.ok("", "mb")
	r := c.startPTY(true, "", "put", "typed")
	assert.Equal(t, exitUsage, r.wait(t))
	assert.Contains(t, r.output(), `put "typed": no FILE given and stdin is a terminal`)
	assert.Contains(t, r.output(), "or - to store what you type")
	assert.Equal(t, exitFailure, c.run("", "stat", "typed").code, "nothing stored")

	r = c.startPTY(true, "", "put", "typed", "-")
	_, err := r.ptmx.Write([]byte("hello\n\x04"))
	require.NoError(t, err)
	assert.Equal(t, 0, r.wait(t), r.output())
	assert.Equal(t, "hello\n", c.ok("", "cat", "typed").stdout)
}
