package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/testserver"
)

// minioURL is the minio:// URL of bucket on srv with its root
// credentials (secret replaced by secret when not empty), without retries
// that would slow a refusal down.
func minioURL(srv *testserver.MinIO, bucket, secret string) string {
	if secret == "" {
		secret = srv.SecretKey
	}
	return fmt.Sprintf("minio://%s:%s@%s/%s?max_attempts=1", url.PathEscape(srv.AccessKey), url.PathEscape(secret), srv.Endpoint, bucket)
}

// TestOnMinIO runs the behaviours of issue 18 against a real MinIO: mb,
// health (credentials and bucket apart), read-only commands on a missing
// bucket, get's local file rules, presign, wording and a quiet Ctrl-C (rb,
// ls, cp -r and mirror: TestRbOnMinIO, TestTreeOnMinIO).
func TestOnMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	c := newCLI(t)
	store := minioURL(srv, "issue18", "")
	shown := strings.Replace(store, srv.SecretKey, "xxxxx", 1)

	// A missing bucket: read-only commands fail (exit 1) and create
	// nothing; health says the credentials are good and the bucket missing.
	r := c.run("", "--url", store, "ls")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "issue18")
	r = c.run("", "health", store)
	assert.Equal(t, exitFailure, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `(?m)^credentials\s+ok\b`, r.stdout)
	assert.Regexp(t, `(?m)^bucket\s+missing\b.*objstore mb `, r.stdout)
	assert.Contains(t, r.stderr, "bucket missing")
	assert.NotContains(t, r.stdout+r.stderr, srv.SecretKey)

	// mb makes it; again is an error unless -p.
	assert.Contains(t, c.ok("", "mb", store).stdout, "made store "+shown)
	r = c.run("", "mb", store)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "exists already")
	c.ok("", "mb", "-p", store)

	// health: endpoint, credentials and bucket, each good.
	r = c.ok("", "health", store)
	assert.Contains(t, r.stdout, srv.Endpoint)
	assert.Regexp(t, `(?m)^credentials\s+ok\b`, r.stdout)
	assert.Regexp(t, `(?m)^bucket\s+ok\b`, r.stdout)
	h := jsonLines(t, c.ok("", "--json", "health", store).stdout)
	require.Len(t, h, 3)
	assert.Equal(t, "endpoint", h[0]["check"])
	assert.Equal(t, "credentials", h[1]["check"])
	assert.Equal(t, true, h[1]["ok"])
	assert.Equal(t, "bucket", h[2]["check"])
	assert.Equal(t, true, h[2]["ok"])

	// Wrong credentials: the server is live and ready, but health fails
	// and says the credentials were refused.
	bad := minioURL(srv, "issue18", "wrong-secret-123")
	r = c.run("", "health", bad)
	assert.Equal(t, exitFailure, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "ready")
	assert.Regexp(t, `(?m)^credentials\s+denied\b`, r.stdout)
	assert.Contains(t, r.stderr, "credentials denied")
	assert.NotContains(t, r.stdout+r.stderr, "wrong-secret-123")

	// get: parent directories, no overwrite without --force, errors name
	// the key and the file.
	c.ok("minio data", "--url", store, "put", "dir/obj.txt")
	c.ok("", "--url", store, "get", "dir/obj.txt", "out/sub/obj.txt")
	assert.Equal(t, "minio data", string(c.readFile("out/sub/obj.txt")))
	r = c.run("", "--url", store, "get", "dir/obj.txt", "out/sub/obj.txt")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `get "dir/obj.txt": out/sub/obj.txt: the file exists`)
	c.ok("", "--url", store, "get", "--force", "dir/obj.txt", "out/sub/obj.txt")
	r = c.run("", "--url", store, "get", "nope", "gone/x")
	assert.Equal(t, exitFailure, r.code)
	assert.NoDirExists(t, c.path("gone"))

	// presign: put, head, get and delete with a plain HTTP client.
	presign := func(args ...string) string {
		r := c.ok("", append([]string{"--url", store, "presign"}, args...)...)
		u := strings.TrimSpace(r.stdout)
		assert.NotContains(t, u, srv.SecretKey)
		return u
	}
	do := func(method, u, body, ctype string) *http.Response {
		req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
		require.NoError(t, err)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { _ = resp.Body.Close() })
		return resp
	}
	put := presign("put", "shared/p.txt", "--expiry", "10m", "--content-type", "text/plain")
	assert.Equal(t, http.StatusForbidden, do(http.MethodPut, put, "x", "image/png").StatusCode, "the content type is bound")
	assert.Equal(t, http.StatusOK, do(http.MethodPut, put, "presigned", "text/plain").StatusCode)
	assert.Equal(t, "presigned", c.ok("", "--url", store, "cat", "shared/p.txt").stdout)
	resp := do(http.MethodGet, presign("get", "shared/p.txt"), "", "")
	got, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "presigned", string(got))
	resp = do(http.MethodHead, presign("head", "shared/p.txt"), "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "9", resp.Header.Get("Content-Length"))
	assert.Equal(t, http.StatusNoContent, do(http.MethodDelete, presign("delete", "shared/p.txt"), "", "").StatusCode)
	assert.Equal(t, exitFailure, c.run("", "--url", store, "stat", "shared/p.txt").code)
	j := jsonLines(t, c.ok("", "--url", store, "--json", "presign", "get", "k").stdout)
	assert.Equal(t, "GET", j[0]["method"])

	// Wording on MinIO: a closed stream names the command to remove it.
	assert.Contains(t, c.ok("a\n", "--url", store, "stream", "put", "--lines", "s").stdout, "1 chunk, 2 bytes")
	r = c.run("b\n", "--url", store, "stream", "put", "--lines", "s")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "objstore stream rm s")
	assert.NotContains(t, r.stderr, "RemoveObjects")

	// Ctrl-C on a follower: exit 130, nothing on stderr.
	w := c.command(t.Context(), "--url", store, "stream", "put", "--lines", "live")
	win, err := w.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer func() { _ = w.Process.Kill(); _ = w.Wait() }()
	_, err = io.WriteString(win, "first\n")
	require.NoError(t, err)
	f := c.command(t.Context(), "--url", store, "stream", "get", "--follow", "--wait", "live")
	out, err := f.StdoutPipe()
	require.NoError(t, err)
	var ferr bytes.Buffer
	f.Stderr = &ferr
	require.NoError(t, f.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	require.NoError(t, f.Process.Signal(os.Interrupt))
	err = f.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitInterrupted, ee.ExitCode())
	assert.Empty(t, ferr.String(), "Ctrl-C ends quietly")
	_ = win.Close()
	require.NoError(t, w.Wait())

	// mem:// is refused whatever the other store.
	r = c.run("", "cp", store+"#dir/obj.txt", "mem://#x")
	assert.Equal(t, exitUsage, r.code)
}
