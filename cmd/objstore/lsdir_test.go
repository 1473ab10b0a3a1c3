package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lsStore fills a file:// store with objects, a nested prefix and a
// closed stream, for the ls tests.
func lsStore(t *testing.T) *cli {
	c := newCLI(t)
	c.ok("hi", "put", "photos/a.jpg", "-")
	c.ok(strings.Repeat("x", 1536), "put", "photos/2026/b.jpg", "-")
	c.ok("x", "put", "photos.txt", "-")
	c.ok("a\nb\nc\n", "stream", "put", "--lines", "caps/eth0")
	c.ok("n", "put", "caps/plain", "-")
	return c
}

// lsFields splits the lines of out into whitespace-separated fields.
func lsFields(out string) [][]string {
	var rows [][]string
	for l := range strings.Lines(out) {
		rows = append(rows, strings.Fields(l))
	}
	return rows
}

func TestLsOneLevel(t *testing.T) {
	c := lsStore(t)
	assert.Equal(t, [][]string{
		{"PRE", "-", "caps/"},
		{"obj", "1", "photos.txt"},
		{"PRE", "-", "photos/"},
	}, lsFields(c.ok("", "ls").stdout))
	want := [][]string{
		{"PRE", "-", "photos/2026/"},
		{"obj", "2", "photos/a.jpg"},
	}
	assert.Equal(t, want, lsFields(c.ok("", "ls", "photos/").stdout))
	// A name without "/" that is a directory lists inside it, as mc does.
	assert.Equal(t, want, lsFields(c.ok("", "ls", "photos").stdout))
	// A partial name that is no directory: the entries that start with it.
	assert.Equal(t, [][]string{
		{"obj", "1", "photos.txt"},
		{"PRE", "-", "photos/"},
	}, lsFields(c.ok("", "ls", "phot").stdout))
	assert.Equal(t, "", c.ok("", "ls", "nothing/").stdout)
	assert.Equal(t, "", c.ok("", "ls", "nothing").stdout)
}

func TestLsStreamEntry(t *testing.T) {
	c := lsStore(t)
	// A stream is one entry, with its total size and state: never its chunks.
	assert.Equal(t, [][]string{
		{"stream:closed", "6", "caps/eth0"},
		{"obj", "1", "caps/plain"},
	}, lsFields(c.ok("", "ls", "caps/").stdout))
	// Named without "/", a stream is listed as itself, not inside.
	assert.Equal(t, [][]string{{"stream:closed", "6", "caps/eth0"}}, lsFields(c.ok("", "ls", "caps/eth0").stdout))
	// With "/", its chunks.
	assert.Equal(t, "caps/eth0/eth0.0\ncaps/eth0/eth0.1\ncaps/eth0/eth0.2\n", c.ok("", "ls", "-r", "caps/eth0/").stdout)

	long := lsFields(c.ok("", "ls", "--long", "caps/").stdout)
	require.Len(t, long, 2)
	require.Len(t, long[0], 4, "size, time, state, key: %q", long[0])
	assert.Equal(t, "6", long[0][0])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, long[0][1])
	assert.Equal(t, []string{"stream:closed", "caps/eth0"}, long[0][2:])
	assert.Equal(t, "caps/plain", long[1][3])

	// A stream whose writer is open is live.
	ctx := t.Context()
	writer := c.command(ctx, "stream", "put", "--lines", "caps/live")
	win, err := writer.StdinPipe()
	require.NoError(t, err)
	var werr bytes.Buffer
	writer.Stdout, writer.Stderr = io.Discard, &werr
	require.NoError(t, writer.Start())
	defer func() { _ = writer.Process.Kill(); _ = writer.Wait() }()
	_, err = io.WriteString(win, "one\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Contains(c.ok("", "ls", "caps/").stdout, "caps/live")
	}, 20*time.Second, 20*time.Millisecond, "the writer opens the stream")
	require.Eventually(t, func() bool {
		rows := lsFields(c.ok("", "ls", "caps/").stdout)
		return len(rows) == 3 && rows[1][0] == "stream:live" && rows[1][1] == "4"
	}, 20*time.Second, 20*time.Millisecond, "a live stream with its first chunk")
	js := jsonLines(t, c.ok("", "--json", "ls", "caps/").stdout)
	require.Len(t, js, 3)
	assert.Equal(t, "stream", js[1]["type"])
	assert.Equal(t, true, js[1]["in_progress"])
	require.NoError(t, win.Close())
	require.NoError(t, writer.Wait(), "writer: %s", werr.String())
	assert.Contains(t, c.ok("", "ls", "caps/live").stdout, "stream:closed")
}

func TestLsRecursive(t *testing.T) {
	c := lsStore(t)
	all := "caps/eth0/eth0.0\ncaps/eth0/eth0.1\ncaps/eth0/eth0.2\ncaps/plain\nphotos.txt\nphotos/2026/b.jpg\nphotos/a.jpg\n"
	assert.Equal(t, all, c.ok("", "ls", "-r").stdout)
	assert.Equal(t, all, c.ok("", "ls", "--recursive").stdout)
	// -r keeps the flat prefix match: "photos" is no directory here.
	assert.Equal(t, "photos.txt\nphotos/2026/b.jpg\nphotos/a.jpg\n", c.ok("", "ls", "-r", "photos").stdout)

	long := lsFields(c.ok("", "ls", "-r", "-l", "photos/").stdout)
	require.Len(t, long, 2)
	assert.Equal(t, "1536", long[0][0])
	assert.Equal(t, "photos/2026/b.jpg", long[0][3])

	js := jsonLines(t, c.ok("", "--json", "ls", "-r", "caps/").stdout)
	require.Len(t, js, 4)
	for _, j := range js {
		assert.Equal(t, "object", j["type"], "%v", j)
	}
	assert.Equal(t, "caps/eth0/eth0.0", js[0]["key"])
}

func TestLsHuman(t *testing.T) {
	c := lsStore(t)
	assert.Equal(t, [][]string{
		{"PRE", "-", "photos/2026/"},
		{"obj", "2B", "photos/a.jpg"},
	}, lsFields(c.ok("", "ls", "-H", "photos/").stdout))
	assert.Equal(t, [][]string{{"obj", "1.5KiB", "photos/2026/b.jpg"}}, lsFields(c.ok("", "ls", "--human", "photos/2026/").stdout))
	long := lsFields(c.ok("", "ls", "-r", "-l", "-H", "photos/2026/").stdout)
	require.Len(t, long, 1)
	assert.Equal(t, "1.5KiB", long[0][0])
	assert.Equal(t, [][]string{{"stream:closed", "6B", "caps/eth0"}}, lsFields(c.ok("", "ls", "-H", "caps/eth0").stdout))
	// --json keeps bytes.
	assert.Equal(t, float64(1536), jsonLines(t, c.ok("", "--json", "ls", "-H", "photos/2026/").stdout)[0]["size"])

	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.0KiB", 1536: "1.5KiB",
		5 << 20: "5.0MiB", 3 << 30: "3.0GiB", 2 << 40: "2.0TiB"} {
		assert.Equal(t, want, humanBytes(n), "%d", n)
	}
}

func TestLsSummarize(t *testing.T) {
	c := lsStore(t)
	out := c.ok("", "ls", "--summarize", "caps/").stdout
	assert.True(t, strings.HasSuffix(out, "\ntotal: 1 object, 0 prefixes, 1 stream, 7 bytes\n"), out)
	out = c.ok("", "ls", "--summarize", "-H").stdout
	assert.True(t, strings.HasSuffix(out, "\ntotal: 1 object, 2 prefixes, 0 streams, 1B\n"), out)
	out = c.ok("", "ls", "--summarize", "-r", "photos/").stdout
	assert.Equal(t, "photos/2026/b.jpg\nphotos/a.jpg\ntotal: 2 objects, 0 prefixes, 0 streams, 1538 bytes\n", out)
	assert.Equal(t, "total: 0 objects, 0 prefixes, 0 streams, 0 bytes\n", c.ok("", "ls", "--summarize", "nothing/").stdout)

	js := jsonLines(t, c.ok("", "--json", "ls", "--summarize", "photos/").stdout)
	require.Len(t, js, 3)
	assert.Equal(t, map[string]any{"type": "summary", "objects": float64(1), "prefixes": float64(1),
		"streams": float64(0), "bytes": float64(2)}, js[2])
}

func TestLsJSON(t *testing.T) {
	c := lsStore(t)
	js := jsonLines(t, c.ok("", "--json", "ls").stdout)
	require.Len(t, js, 3)
	assert.Equal(t, map[string]any{"type": "prefix", "key": "caps/"}, js[0])
	assert.Equal(t, "object", js[1]["type"])
	assert.Equal(t, "photos.txt", js[1]["key"])
	assert.Equal(t, float64(1), js[1]["size"])
	assert.NotEmpty(t, js[1]["etag"])
	assert.NotEmpty(t, js[1]["last_modified"])
	assert.Equal(t, map[string]any{"type": "prefix", "key": "photos/"}, js[2])

	js = jsonLines(t, c.ok("", "--json", "ls", "caps/").stdout)
	require.Len(t, js, 2)
	assert.Equal(t, "stream", js[0]["type"])
	assert.Equal(t, "caps/eth0", js[0]["key"])
	assert.Equal(t, float64(6), js[0]["size"])
	assert.Equal(t, float64(3), js[0]["chunks"])
	assert.Equal(t, false, js[0]["in_progress"])
	assert.NotEmpty(t, js[0]["last_modified"])
}
