package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStreamCompact(t *testing.T) {
	c := newCLI(t)
	var in strings.Builder
	for i := range 300 {
		in.WriteString(strings.Repeat(string(rune('a'+i%26)), i%7) + "\n")
	}
	c.ok(in.String(), "stream", "put", "--lines", "--meta", "host=h1", "s/cap")

	// The fs driver composes inside the store (copy_file_range on Linux);
	// --streaming keeps the path through the client covered.
	r := c.ok("", "stream", "compact", "s/cap", "out/cap.txt")
	assert.Contains(t, r.stdout, "compacted stream s/cap into out/cap.txt (300 chunks, "+strconv.Itoa(in.Len())+" bytes, ")
	r = c.ok("", "stream", "compact", "--streaming", "s/cap", "out/streamed.txt")
	assert.Equal(t, "compacted stream s/cap into out/streamed.txt (300 chunks, "+strconv.Itoa(in.Len())+" bytes, streamed)\n", r.stdout)
	assert.Equal(t, in.String(), c.ok("", "cat", "out/streamed.txt").stdout)
	assert.Equal(t, in.String(), c.ok("", "cat", "out/cap.txt").stdout)
	st := jsonLines(t, c.ok("", "--json", "stat", "out/cap.txt").stdout)[0]
	assert.Equal(t, false, st["stream"])
	assert.Equal(t, map[string]any{"host": "h1"}, st["metadata"], "the stream's metadata by default")
	assert.Contains(t, c.ok("", "--json", "stat", "s/cap").stdout, `"chunks":300`, "the stream stays")

	j := jsonLines(t, c.ok("", "--json", "stream", "compact", "--streaming", "--meta", "kind=pcap", "--content-type", "application/vnd.tcpdump.pcap", "s/cap", "out/b").stdout)
	require.Len(t, j, 1)
	assert.Equal(t, "s/cap", j[0]["name"])
	assert.Equal(t, "out/b", j[0]["key"])
	assert.Equal(t, float64(300), j[0]["chunks"])
	assert.Equal(t, float64(in.Len()), j[0]["size"])
	assert.Equal(t, false, j[0]["server_side"])
	st = jsonLines(t, c.ok("", "--json", "stat", "out/b").stdout)[0]
	assert.Equal(t, map[string]any{"kind": "pcap"}, st["metadata"])
	assert.Equal(t, "application/vnd.tcpdump.pcap", st["content_type"])

	// Refusals: no such stream, a gap, a reserved destination, bad flags.
	r = c.run("", "--json", "stream", "compact", "s/none", "out/x")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `"kind":"not_found"`)
	require.Equal(t, exitOK, c.run("", "rm", "s/cap/cap.5").code)
	r = c.run("", "stream", "compact", "s/cap", "out/x")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "missing chunk 5")
	r = c.run("", "stream", "compact", "s/cap", "out/out.3")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "reserved")
	assert.Equal(t, exitUsage, c.run("", "stream", "compact", "s/cap").code)
	assert.Equal(t, exitUsage, c.run("", "stream", "compact", "--content-type", "tëxt", "s/cap", "out/y").code)
	assert.Equal(t, exitUsage, c.run("", "stream", "compact", "--meta", "novalue", "s/cap", "out/y").code)
	assert.Equal(t, exitFailure, c.run("", "stat", "out/x").code, "nothing written by a refused compaction")
}

// TestStreamCompactInProgress: a stream whose writer died is refused.
func TestStreamCompactInProgress(t *testing.T) {
	c := newCLI(t)
	writer := c.command(t.Context(), "stream", "put", "--lines", "p/s")
	win, err := writer.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, writer.Start())
	_, err = io.WriteString(win, "a\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		r := c.run("", "--json", "stat", "p/s")
		return r.code == 0 && strings.Contains(r.stdout, `"chunks":1`)
	}, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, writer.Process.Kill())
	_ = writer.Wait()
	r := c.run("", "stream", "compact", "p/s", "p.txt")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "in progress")
}

// TestWatch runs a watch while objects are put, overwritten and removed,
// and ends it with SIGINT (exit 130).
func TestWatch(t *testing.T) {
	c := newCLI(t)
	c.ok("x", "put", "w/old", "-")
	watch := c.command(t.Context(), "watch", "--interval", "50ms", "--existing", "w/")
	out, err := watch.StdoutPipe()
	require.NoError(t, err)
	stderr, err := os.Create(c.path("watch.stderr"))
	require.NoError(t, err)
	defer stderr.Close()
	watch.Stderr = stderr
	require.NoError(t, watch.Start())
	defer func() { _ = watch.Process.Kill(); _ = watch.Wait() }()
	lines := bufio.NewReader(out)
	next := func() string {
		t.Helper()
		line, err := lines.ReadString('\n')
		if err != nil {
			msg, _ := os.ReadFile(c.path("watch.stderr"))
			t.Fatalf("reading the watch's output: %v; stderr: %s", err, msg)
		}
		return line
	}
	assert.Equal(t, "created w/old\n", next(), "--existing: the objects there first")
	c.ok("v1", "put", "w/a", "-")
	assert.Equal(t, "created w/a\n", next())
	c.ok("version 2", "put", "w/a", "-")
	assert.Equal(t, "changed w/a\n", next())
	c.ok("elsewhere", "put", "wx", "-")
	c.ok("", "rm", "w/a")
	assert.Equal(t, "removed w/a\n", next(), "nothing for keys outside the prefix")

	start := time.Now()
	require.NoError(t, watch.Process.Signal(os.Interrupt))
	err = watch.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitInterrupted, ee.ExitCode())
	assert.Less(t, time.Since(start), interruptGrace, "the watch stops promptly")
}

func TestWatchJSON(t *testing.T) {
	c := newCLI(t)
	c.ok("abc", "put", "j/a", "-")
	watch := c.command(t.Context(), "--json", "watch", "--interval", "50ms", "--existing", "j/")
	out, err := watch.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, watch.Start())
	defer func() { _ = watch.Process.Kill(); _ = watch.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	ev := jsonLines(t, line)[0]
	assert.Equal(t, "created", ev["event"])
	assert.Equal(t, "j/a", ev["key"])
	assert.Equal(t, float64(3), ev["size"])

	assert.Equal(t, exitUsage, c.run("", "watch", "--interval", "0s", "j/").code)
	assert.Equal(t, exitUsage, c.run("", "watch", "../").code)
	assert.Equal(t, exitUsage, c.run("", "watch").code)
}
