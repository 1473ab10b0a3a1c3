package testserver

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkGone asserts that the processes have exited and been reaped.
func checkGone(t *testing.T, pids ...int) {
	t.Helper()
	for _, pid := range pids {
		require.NotZero(t, pid)
		err := syscall.Kill(pid, 0)
		assert.ErrorIs(t, err, syscall.ESRCH, "process %d still exists after cleanup", pid)
	}
}

func TestMinIO(t *testing.T) {
	t.Parallel()
	var pid int
	t.Run("serve", func(t *testing.T) {
		m := StartMinIO(t)
		pid = m.Pid()
		assert.True(t, strings.HasPrefix(m.Endpoint, "127.0.0.1:"), m.Endpoint)
		assert.Equal(t, "http://"+m.Endpoint, m.URL())
		c := &http.Client{Timeout: 10 * time.Second}

		do(t, c, s3Request(t, http.MethodPut, m.URL()+"/bucket-one", m.AccessKey, m.SecretKey, m.Region), 200)
		body := do(t, c, s3Request(t, http.MethodGet, m.URL()+"/", m.AccessKey, m.SecretKey, m.Region), 200)
		assert.Contains(t, body, "<Name>bucket-one</Name>")
		assert.DirExists(t, filepath.Join(m.Dir, "bucket-one"))
		// Wrong credentials are refused: the server really checks them.
		do(t, c, s3Request(t, http.MethodGet, m.URL()+"/", m.AccessKey, "wrong"+m.SecretKey, m.Region), 403)

		// Stop freezes it, Cont resumes it.
		m.Stop(t)
		quick := &http.Client{Timeout: 500 * time.Millisecond}
		_, err := quick.Get(m.URL() + "/minio/health/live")
		require.Error(t, err, "a stopped server must not answer")
		m.Cont(t)
		do(t, c, mustRequest(t, http.MethodGet, m.URL()+"/minio/health/live"), 200)

		// Kill ends it; Restart brings it back with its data.
		m.Kill(t)
		_, err = quick.Get(m.URL() + "/minio/health/live")
		require.Error(t, err, "a killed server must not answer")
		m.Restart(t)
		assert.NotEqual(t, pid, m.Pid())
		body = do(t, c, s3Request(t, http.MethodGet, m.URL()+"/", m.AccessKey, m.SecretKey, m.Region), 200)
		assert.Contains(t, body, "<Name>bucket-one</Name>")
		assert.Contains(t, m.Log(), "minio")
		pid = m.Pid()
	})
	checkGone(t, pid)
}

func TestVersityGW(t *testing.T) {
	t.Parallel()
	var pid int
	t.Run("serve", func(t *testing.T) {
		s := StartVersityGW(t)
		pid = s.Pid()
		c := &http.Client{Timeout: 10 * time.Second}
		do(t, c, s3Request(t, http.MethodPut, s.URL()+"/bucket-one", s.AccessKey, s.SecretKey, s.Region), 200)
		body := do(t, c, s3Request(t, http.MethodGet, s.URL()+"/", s.AccessKey, s.SecretKey, s.Region), 200)
		assert.Contains(t, body, "<Name>bucket-one</Name>")
		assert.DirExists(t, filepath.Join(s.Dir, "bucket-one"))
		do(t, c, s3Request(t, http.MethodGet, s.URL()+"/", s.AccessKey, "wrong"+s.SecretKey, s.Region), 403)
	})
	checkGone(t, pid)
}

func TestFakeGCS(t *testing.T) {
	t.Parallel()
	var pid int
	t.Run("serve", func(t *testing.T) {
		g := StartFakeGCS(t)
		pid = g.Pid()
		assert.Equal(t, "http://"+g.Endpoint, g.URL)
		c := &http.Client{Timeout: 10 * time.Second}
		req, err := http.NewRequest(http.MethodPost, g.URL+"/storage/v1/b?project=test", strings.NewReader(`{"name":"bucket-one"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		do(t, c, req, 200)
		body := do(t, c, mustRequest(t, http.MethodGet, g.URL+"/storage/v1/b"), 200)
		assert.Contains(t, body, `"bucket-one"`)
	})
	checkGone(t, pid)
}

func TestAzurite(t *testing.T) {
	t.Parallel()
	var pid int
	t.Run("serve", func(t *testing.T) {
		a := StartAzurite(t)
		pid = a.Pid()
		assert.Equal(t, "devstoreaccount1", a.Account)
		assert.Contains(t, a.ConnectionString(), "BlobEndpoint="+a.Endpoint+";")
		c := &http.Client{Timeout: 10 * time.Second}
		do(t, c, azureRequest(t, http.MethodPut, a.Endpoint+"/container-one?restype=container", a.Account, a.Key), 201)
		body := do(t, c, azureRequest(t, http.MethodGet, a.Endpoint+"?comp=list", a.Account, a.Key), 200)
		assert.Contains(t, body, "<Name>container-one</Name>")
		wrongKey := base64.StdEncoding.EncodeToString([]byte("not the key"))
		do(t, c, azureRequest(t, http.MethodGet, a.Endpoint+"?comp=list", a.Account, wrongKey), 403)
	})
	checkGone(t, pid)
}

func TestMinIOCluster(t *testing.T) {
	t.Parallel()
	var pids []int
	var ns string
	t.Run("serve", func(t *testing.T) {
		c := StartMinIOCluster(t, 4)
		ns = c.Namespace
		require.Len(t, c.Nodes, 4)
		for _, n := range c.Nodes {
			pids = append(pids, n.Pid())
			assert.True(t, strings.HasPrefix(n.Endpoint, "10.77."), n.Endpoint)
		}
		assert.FileExists(t, filepath.Join("/var/run/netns", ns))

		hc := c.HTTPClient()
		hc.Timeout = 10 * time.Second
		n0, n1, n2 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
		do(t, hc, s3Request(t, http.MethodPut, n0.URL()+"/bucket-one", c.AccessKey, c.SecretKey, c.Region), 200)
		body := do(t, hc, s3Request(t, http.MethodGet, n2.URL()+"/", c.AccessKey, c.SecretKey, c.Region), 200)
		assert.Contains(t, body, "<Name>bucket-one</Name>", "a bucket made on node 1 is seen on node 3")

		// The threads that dialed into the namespace were discarded: every
		// thread left is in the test's own network namespace.
		assert.Eventually(t, func() bool { return threadsOutside(t, ns) }, 5*time.Second, 50*time.Millisecond)

		// One node down: the cluster still has quorum.
		n1.Kill(t)
		do(t, hc, mustRequest(t, http.MethodGet, n0.URL()+"/minio/health/cluster"), 200)
		body = do(t, hc, s3Request(t, http.MethodGet, n0.URL()+"/", c.AccessKey, c.SecretKey, c.Region), 200)
		assert.Contains(t, body, "<Name>bucket-one</Name>")
		n1.Restart(t)
		pids = append(pids, n1.Pid())
	})
	checkGone(t, pids...)
	_, err := os.Stat(filepath.Join("/var/run/netns", ns))
	assert.True(t, errors.Is(err, os.ErrNotExist), "namespace %s left behind: %v", ns, err)
}

// hostNS is the test process's network namespace, read before any test
// ran (all threads were in it then).
var hostNS, _ = os.Readlink("/proc/thread-self/ns/net")

// threadsOutside reports whether every thread of the test process is in
// its original network namespace, except the main thread: the Go runtime
// never ends the main thread, so if a dial ran there it stays parked for
// good in the cluster's namespace, running nothing.
func threadsOutside(t *testing.T, ns string) bool {
	t.Helper()
	require.NotEmpty(t, hostNS)
	tids, err := os.ReadDir("/proc/self/task")
	require.NoError(t, err)
	for _, tid := range tids {
		if tid.Name() == fmt.Sprint(os.Getpid()) {
			continue
		}
		link, err := os.Readlink(filepath.Join("/proc/self/task", tid.Name(), "ns/net"))
		if err == nil && link != hostNS {
			t.Logf("thread %s is in %s, not %s (cluster namespace %s)", tid.Name(), link, hostNS, ns)
			return false
		}
	}
	return true
}

// TestMissingTool checks that a missing server fails the test (not skip)
// with a hint to run `make tools`.
func TestMissingTool(t *testing.T) {
	t.Setenv(ToolsEnv, t.TempDir())
	f := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		StartMinIO(f)
	}()
	<-done
	assert.Contains(t, f.msg, "make tools")
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// do sends req and checks its status; it returns the body.
func do(t *testing.T, c *http.Client, req *http.Request, want int) string {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", req.Method, req.URL, b)
	return string(b)
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	require.NoError(t, err)
	return req
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// s3Request returns a body-less request signed with AWS Signature V4, just
// enough to prove that the servers' credentials work.
func s3Request(t *testing.T, method, url, accessKey, secretKey, region string) *http.Request {
	t.Helper()
	req := mustRequest(t, method, url)
	now := time.Now().UTC()
	amzDate, day := now.Format("20060102T150405Z"), now.Format("20060102")
	sum := sha256.Sum256(nil)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	const signed = "host;x-amz-content-sha256;x-amz-date"
	canonical := strings.Join([]string{method, path, req.URL.Query().Encode(),
		"host:" + req.URL.Host + "\nx-amz-content-sha256:" + payload + "\nx-amz-date:" + amzDate + "\n",
		signed, payload}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	crSum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	key := []byte("AWS4" + secretKey)
	for _, s := range []string{day, region, "s3", "aws4_request"} {
		key = hmacSHA256(key, s)
	}
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%x",
		accessKey, scope, signed, hmacSHA256(key, toSign)))
	return req
}

// azureRequest returns a body-less request signed with Azure Storage Shared
// Key, for path-style (emulator) URLs.
func azureRequest(t *testing.T, method, url, account, key string) *http.Request {
	t.Helper()
	req := mustRequest(t, method, url)
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-ms-version", "2021-12-02")
	var names []string
	for k := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	// VERB, then Content-Encoding ... Range: all empty for these requests.
	b.WriteString(method + "\n" + strings.Repeat("\n", 11))
	for _, k := range names {
		b.WriteString(k + ":" + req.Header.Get(k) + "\n")
	}
	b.WriteString("/" + account + req.URL.EscapedPath())
	q := req.URL.Query()
	var params []string
	for k := range q {
		params = append(params, k)
	}
	sort.Strings(params)
	for _, k := range params {
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(q[k], ","))
	}
	secret, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	sig := base64.StdEncoding.EncodeToString(hmacSHA256(secret, b.String()))
	req.Header.Set("Authorization", "SharedKey "+account+":"+sig)
	return req
}

// TestToolInstalledOnFirstUse checks that a tool missing from the
// repository's .cache/ is installed by the Makefile's rule for it, as a
// fresh clone's `go test ./...` needs.
func TestToolInstalledOnFirstUse(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":   "module example.com/x\n",
		"Makefile": "include tools.mk\n",
		"tools.mk": "TOOLS_DIR := $(CURDIR)/.cache\n$(TOOLS_DIR)/bin/fake:\n\tmkdir -p $(@D) && echo built > $@\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(text), 0o644))
	}
	t.Setenv(ToolsEnv, filepath.Join(root, ".cache"))
	p := toolPath(t, "bin/fake")
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "built\n", string(got))
}
