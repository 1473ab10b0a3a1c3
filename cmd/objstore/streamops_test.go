package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStreamLsAndRm(t *testing.T) {
	c := newCLI(t)
	c.ok("a\nb\nc\n", "stream", "put", "--lines", "caps/eth0")
	c.ok("x\n", "stream", "put", "--lines", "caps/eth0/sub")
	c.ok("keep", "put", "caps/eth0/notes.txt", "-")
	c.ok("keep", "put", "caps/plain", "-")

	out := jsonLines(t, c.ok("", "--json", "stream", "ls", "caps/").stdout)
	require.Len(t, out, 2)
	assert.Equal(t, "caps/eth0", out[0]["name"])
	assert.Equal(t, float64(3), out[0]["chunks"])
	assert.Equal(t, float64(0), out[0]["first_chunk"])
	assert.Equal(t, float64(2), out[0]["last_chunk"])
	assert.Equal(t, float64(6), out[0]["size"])
	assert.Equal(t, false, out[0]["in_progress"])
	assert.Equal(t, "caps/eth0/sub", out[1]["name"])
	assert.Contains(t, c.ok("", "stream", "ls", "caps/").stdout, "closed         3 chunks       0-2")

	c.ok("", "stream", "rm", "caps/eth0")
	assert.Equal(t, "keep", c.ok("", "cat", "caps/eth0/notes.txt").stdout, "stream rm removes only the stream")
	assert.Equal(t, "x\n", c.ok("", "stream", "get", "caps/eth0/sub").stdout)
	r := c.run("", "stream", "rm", "caps/eth0")
	assert.Equal(t, 1, r.code, "no such stream: %s", r.stderr)
	assert.Contains(t, r.stderr, "no stream object")
}

func TestStreamGetSince(t *testing.T) {
	c := newCLI(t)
	c.ok("old\n", "stream", "put", "--lines", "s/log")
	r := c.run("", "stream", "get", "--since", "tomorrow", "s/log")
	assert.Equal(t, 2, r.code, r.stderr)
	r = c.run("", "stream", "get", "--wait", "s/log")
	assert.Equal(t, 2, r.code, "--wait needs --follow: %s", r.stderr)

	assert.Equal(t, "old\n", c.ok("", "stream", "get", "--since", "1h", "s/log").stdout)
	assert.Equal(t, "", c.ok("", "stream", "get", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "s/log").stdout)
}

func TestStreamGetFollowWait(t *testing.T) {
	c := newCLI(t)
	follower := c.command(t.Context(), "stream", "get", "--follow", "--wait", "later/log")
	var out, errOut bytes.Buffer
	follower.Stdout, follower.Stderr = &out, &errOut
	require.NoError(t, follower.Start())
	defer func() { _ = follower.Process.Kill(); _ = follower.Wait() }()
	time.Sleep(300 * time.Millisecond)
	c.ok("one\ntwo\n", "stream", "put", "--lines", "later/log")
	done := make(chan error, 1)
	go func() { done <- follower.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, errOut.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting follower did not end after the stream closed")
	}
	assert.Equal(t, "one\ntwo\n", out.String())
}
