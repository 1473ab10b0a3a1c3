package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// The benchmark is a program, not a test, so it cannot use
// internal/testserver (an internal package of another module, and built
// on testing.TB). This is the same recipe: the MinIO binary that
// `make tools` installs under $OBJSTORE_TOOLS/bin, a free port on
// 127.0.0.1, random root credentials, a temporary data directory, ready
// once /minio/health/cluster answers 200, killed (with its process group)
// when the benchmark ends or dies.

// toolsEnv names the directory of the installed test servers (exported
// by tools.mk).
const toolsEnv = "OBJSTORE_TOOLS"

// readyTimeout bounds the wait for a fresh server.
const readyTimeout = 60 * time.Second

// server is one running MinIO server.
type server struct {
	Endpoint  string // 127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
	dir       string
	cmd       *exec.Cmd
	done      chan struct{}
}

// URL returns the server's base URL.
func (s *server) URL() string { return "http://" + s.Endpoint }

// minioBinary finds the MinIO binary: $OBJSTORE_TOOLS/bin/minio, else
// .cache/bin/minio above the working directory (bench/ runs from the
// repository's subdirectory).
func minioBinary() (string, error) {
	if dir := os.Getenv(toolsEnv); dir != "" {
		p := filepath.Join(dir, "bin", "minio")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s is %s but %s is missing (%v): run `make tools`", toolsEnv, dir, p, err)
		}
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, ".cache", "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no MinIO binary: $%s is unset and no .cache/bin/minio above %s; run `make tools` at the repository root", toolsEnv, wd)
		}
	}
}

// startMinIO starts a single MinIO server with its data in a new
// temporary directory (under tmpRoot, "" for the system's), and waits
// until it is ready. A server that exits early (its port was taken in the
// meantime) is retried on another port, twice.
func startMinIO(tmpRoot string) (*server, error) {
	bin, err := minioBinary()
	if err != nil {
		return nil, err
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryStartMinIO(bin, tmpRoot)
		if err == nil {
			return s, nil
		}
		last = err
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, last
}

var errExited = errors.New("minio exited before it was ready")

func tryStartMinIO(bin, tmpRoot string) (*server, error) {
	dir, err := os.MkdirTemp(tmpRoot, "objstore-bench-minio-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{
		Endpoint:  fmt.Sprintf("127.0.0.1:%d", port),
		AccessKey: "ak" + randomHex(8),
		SecretKey: randomHex(16),
		Region:    "us-east-1",
		dir:       dir,
		done:      make(chan struct{}),
	}
	logf, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close() // the child has its own copy
	s.cmd = exec.Command(bin, "server", "--quiet",
		"--address", s.Endpoint,
		"--certs-dir", filepath.Join(dir, "certs"),
		filepath.Join(dir, "data"))
	s.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_REGION="+s.Region,
		"MINIO_CI_CD=1",
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CALLHOME_ENABLE=off",
	)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // stop() kills the whole group
		Pdeathsig: syscall.SIGKILL, // no server outlives a crashed benchmark
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "minio.log"))
		s.stop()
		return nil, fmt.Errorf("%w\n--- minio log ---\n%s", err, tail(string(log), 4<<10))
	}
	return s, nil
}

// waitReady polls the cluster health endpoint: /minio/health/ready
// answers before the object layer is up, /minio/health/cluster only once
// S3 calls work.
func (s *server) waitReady() error {
	probe := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 3 * time.Second}
	url := s.URL() + "/minio/health/cluster"
	deadline := time.Now().Add(readyTimeout)
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		resp, err := probe.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		select {
		case <-s.done:
			return errExited
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio not ready after %v: %v", readyTimeout, err)
		}
	}
}

// stop kills the server and its process group, waits for it, and removes
// its data. It is idempotent.
func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
	}
	os.RemoveAll(s.dir)
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

func tail(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return "..." + s[len(s)-max:]
}
