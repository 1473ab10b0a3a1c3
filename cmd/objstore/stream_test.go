package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStreamPutBlocksAndGet(t *testing.T) {
	c := newCLI(t)
	data := payload(10_000)
	c.writeFile("in.bin", data)

	// Each read of stdin, at most --chunk-size bytes, is one chunk.
	r := c.runReader(bytes.NewReader(data), "--json", "stream", "put", "s/data", "--chunk-size", "4KiB", "--meta", "Source=test")
	require.Equal(t, 0, r.code, r.stderr)
	sum := jsonLines(t, r.stdout)
	require.Len(t, sum, 1)
	assert.Equal(t, float64(len(data)), sum[0]["size"])
	assert.GreaterOrEqual(t, sum[0]["chunks"], float64(3), "10000 bytes in blocks of at most 4096")

	st := jsonLines(t, c.ok("", "--json", "stat", "s/data").stdout)[0]
	assert.Equal(t, true, st["stream"])
	assert.Equal(t, false, st["in_progress"])
	assert.Equal(t, sum[0]["chunks"], st["chunks"])
	assert.Equal(t, float64(len(data)), st["size"])
	assert.Equal(t, map[string]any{"source": "test"}, st["metadata"])
	assert.Equal(t, string(data), c.ok("", "stream", "get", "s/data").stdout)
	assert.Equal(t, string(data), c.ok("", "stream", "get", "--follow", "s/data").stdout, "follow ends at once on a closed stream")

	// --lines: one chunk per line; --from skips chunks.
	c.ok("zero\none\ntwo\nthree", "stream", "put", "--lines", "s/lines")
	st = jsonLines(t, c.ok("", "--json", "stat", "s/lines").stdout)[0]
	assert.Equal(t, float64(4), st["chunks"])
	assert.Equal(t, "two\nthree", c.ok("", "stream", "get", "--from", "2", "s/lines").stdout)
	assert.Equal(t, "", c.ok("", "stream", "get", "--from", "9", "s/lines").stdout)
	keys := c.ok("", "ls", "-r", "s/lines/").stdout
	assert.Equal(t, "s/lines/lines.0\ns/lines/lines.1\ns/lines/lines.2\ns/lines/lines.3\n", keys, "the chunk layout of docs/streams.md")

	// A line longer than --chunk-size is split.
	c.ok(strings.Repeat("x", 10)+"\n", "stream", "put", "--lines", "--chunk-size", "4", "s/long")
	st = jsonLines(t, c.ok("", "--json", "stat", "s/long").stdout)[0]
	assert.Equal(t, float64(3), st["chunks"], "4+4+3 bytes")
}

// TestStreamFollow writes a stream line by line while a follower reads
// it: the follower sees each line while the writer is still open, and
// ends when the writer closes.
func TestStreamFollow(t *testing.T) {
	c := newCLI(t)
	ctx := t.Context()

	writer := c.command(ctx, "stream", "put", "--lines", "live/log")
	win, err := writer.StdinPipe()
	require.NoError(t, err)
	var wout, werr bytes.Buffer
	writer.Stdout, writer.Stderr = &wout, &werr
	require.NoError(t, writer.Start())
	defer func() { _ = writer.Process.Kill(); _ = writer.Wait() }()

	// The stream exists (in progress) as soon as the writer opened it.
	require.Eventually(t, func() bool {
		r := c.run("", "--json", "stat", "live/log")
		return r.code == 0 && strings.Contains(r.stdout, `"in_progress":true`)
	}, 20*time.Second, 20*time.Millisecond, "the writer opens the stream")

	follower := c.command(ctx, "stream", "get", "--follow", "live/log")
	fout, err := follower.StdoutPipe()
	require.NoError(t, err)
	var ferr bytes.Buffer
	follower.Stderr = &ferr
	require.NoError(t, follower.Start())
	defer func() { _ = follower.Process.Kill(); _ = follower.Wait() }()
	lines := bufio.NewReader(fout)

	// A reader without --follow sees what exists and ends.
	_, err = io.WriteString(win, "line 0\n")
	require.NoError(t, err)
	got, err := lines.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "line 0\n", got)
	assert.Equal(t, "line 0\n", c.ok("", "stream", "get", "live/log").stdout, "without --follow: the chunks that exist, then end")

	for i := 1; i < 20; i++ {
		_, err := fmt.Fprintf(win, "line %d\n", i)
		require.NoError(t, err)
		got, err := lines.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("line %d\n", i), got, "the follower sees each chunk while the writer is open")
	}
	require.NoError(t, win.Close())
	require.NoError(t, writer.Wait(), "writer: %s", werr.String())
	assert.Contains(t, wout.String(), "20 chunks")
	rest, err := io.ReadAll(lines)
	require.NoError(t, err)
	assert.Empty(t, rest)
	require.NoError(t, follower.Wait(), "the follower ends when the stream is closed: %s", ferr.String())

	st := jsonLines(t, c.ok("", "--json", "stat", "live/log").stdout)[0]
	assert.Equal(t, false, st["in_progress"])
	assert.Equal(t, float64(20), st["chunks"])
}

// TestStreamResume: a writer that dies leaves the stream in progress; the
// next stream put resumes after its last chunk.
func TestStreamResume(t *testing.T) {
	c := newCLI(t)
	ctx := t.Context()
	writer := c.command(ctx, "stream", "put", "--lines", "r/s")
	win, err := writer.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, writer.Start())
	_, err = io.WriteString(win, "a\nb\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		r := c.run("", "--json", "stat", "r/s")
		return r.code == 0 && strings.Contains(r.stdout, `"chunks":2`)
	}, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, writer.Process.Kill())
	_ = writer.Wait()
	st := jsonLines(t, c.ok("", "--json", "stat", "r/s").stdout)[0]
	assert.Equal(t, true, st["in_progress"], "a killed writer leaves the stream in progress")

	c.ok("c\n", "stream", "put", "--lines", "r/s")
	assert.Equal(t, "a\nb\nc\n", c.ok("", "stream", "get", "r/s").stdout)
	st = jsonLines(t, c.ok("", "--json", "stat", "r/s").stdout)[0]
	assert.Equal(t, false, st["in_progress"])
	// A closed stream cannot be written again.
	r := c.run("d\n", "stream", "put", "--lines", "r/s")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "r/s")
}

// A follower interrupted with SIGINT exits 130 at once, and the stream is
// left as it was.
func TestStreamFollowInterrupted(t *testing.T) {
	c := newCLI(t)
	writer := c.command(t.Context(), "stream", "put", "--lines", "i/s")
	win, err := writer.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, writer.Start())
	_, err = io.WriteString(win, "only\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		r := c.run("", "--json", "stat", "i/s")
		return r.code == 0 && strings.Contains(r.stdout, `"chunks":1`)
	}, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, writer.Process.Kill()) // the stream stays in progress
	_ = writer.Wait()

	follower := c.command(t.Context(), "stream", "get", "--follow", "i/s")
	out, err := follower.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, follower.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "only\n", line)
	start := time.Now()
	require.NoError(t, follower.Process.Signal(os.Interrupt))
	err = follower.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitInterrupted, ee.ExitCode())
	assert.Less(t, time.Since(start), interruptGrace, "the follower stops promptly, not after the grace period")
	assert.Contains(t, c.ok("", "--json", "stat", "i/s").stdout, `"in_progress":true`)
}
