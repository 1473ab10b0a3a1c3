package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestCtrlCDuringTreeCopy interrupts cp -r half-way, up to a real MinIO
// and down from it to a file:// store and to a local directory, through a
// proxy that slows every transfer: the command exits 130 without a word,
// and the destination holds only whole objects or files (each equal to
// its source), no temporary file and no unfinished upload.
func TestCtrlCDuringTreeCopy(t *testing.T) {
	srv := testserver.StartMinIO(t)
	adm := minioAdmin(t, srv)
	proxy := faultproxy.Start(t, srv.Endpoint)
	c := newCLI(t)
	c.ok("", "mb", minioURL(srv, "ctrlc", ""))
	slow := fmt.Sprintf("minio://%s:%s@%s/ctrlc?max_attempts=1", url.PathEscape(srv.AccessKey), url.PathEscape(srv.SecretKey), proxy.Addr())

	const n, size = 24, 256 << 10
	want := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("d%d/f%02d", i%3, i)
		data := payload(size + i)
		want[name] = string(data)
		c.writeFile("up/"+name, data)
		_, err := adm.PutObject(t.Context(), "ctrlc", "src/"+name, bytes.NewReader(data), int64(len(data)), miniogo.PutObjectOptions{})
		require.NoError(t, err)
	}
	// Every 32 KiB through the proxy waits 20ms: one object takes about
	// 160ms, the whole tree (2 at a time) about 2s.
	proxy.SetLatency(20 * time.Millisecond)

	// checkWhole: what the destination holds is a strict, non-empty
	// subset of the source, each entry whole.
	checkWhole := func(t *testing.T, got map[string]string) {
		t.Helper()
		assert.NotEmpty(t, got, "the copy had started")
		assert.Less(t, len(got), n, "the copy was interrupted")
		for name, data := range got {
			assert.NotContains(t, name, ".objstore-", "a temporary file was left")
			if assert.Contains(t, want, name, "not a source name") {
				assert.True(t, want[name] == data, "%s is not whole: %d of %d bytes", name, len(data), len(want[name]))
			}
		}
	}

	t.Run("up-to-minio-on-a-terminal", func(t *testing.T) {
		r := c.startCtrlC("cp", "-r", "--jobs", "2", "up", slow+"#dst")
		require.Eventually(t, func() bool { return len(bucketKeys(t, adm, "ctrlc", "dst/")) > 0 },
			20*time.Second, 10*time.Millisecond, "the first object arrives")
		_, err := r.ptmx.Write([]byte{0x03}) // Ctrl-C
		require.NoError(t, err)
		assert.Equal(t, exitInterrupted, r.wait(t))
		assert.NotContains(t, r.output(), "objstore:")
		assert.NotContains(t, r.output(), "canceled")
		got := map[string]string{}
		for _, k := range bucketKeys(t, adm, "ctrlc", "dst/") {
			o, err := adm.GetObject(t.Context(), "ctrlc", k, miniogo.GetObjectOptions{})
			require.NoError(t, err)
			data, err := io.ReadAll(o)
			o.Close()
			require.NoError(t, err)
			got[strings.TrimPrefix(k, "dst/")] = string(data)
		}
		checkWhole(t, got)
		for u := range adm.ListIncompleteUploads(t.Context(), "ctrlc", "dst/", true) {
			assert.NoError(t, u.Err)
			assert.Fail(t, "an unfinished upload was left", u.Key)
		}
	})

	t.Run("down-to-file-store", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "fsdst")
		fsURL := "file://" + dir
		interruptAfterFirst(t, c, "--json", "cp", "-r", "--jobs", "2", slow+"#src", fsURL+"#m")
		cl, err := objstore.Open(t.Context(), fsURL)
		require.NoError(t, err)
		defer cl.Close()
		got := map[string]string{}
		for _, k := range keys(t, fsURL) {
			rc, err := cl.GetObject(t.Context(), k)
			require.NoError(t, err)
			data, err := io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
			got[strings.TrimPrefix(k, "m/")] = string(data)
		}
		checkWhole(t, got)
		checkWhole(t, tree(t, dir+"/m")) // the files themselves: no temp file
	})

	t.Run("down-to-directory", func(t *testing.T) {
		interruptAfterFirst(t, c, "--json", "cp", "-r", "--jobs", "2", slow+"#src", "down")
		checkWhole(t, tree(t, c.path("down")))
	})
}

// interruptAfterFirst runs the command, sends SIGINT once it reported its
// first finished transfer (a --json line on stdout), and requires that it
// exits 130 and writes nothing on stderr.
func interruptAfterFirst(t *testing.T, c *cli, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := c.command(ctx, args...)
	var out syncBuffer
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"from"`) },
		20*time.Second, 5*time.Millisecond, "the first transfer ends")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "exit status: %v; stdout: %s", err, out.String())
	assert.Equal(t, exitInterrupted, ee.ExitCode(), errb.String())
	assert.Empty(t, errb.String(), "Ctrl-C ends quietly")
}
