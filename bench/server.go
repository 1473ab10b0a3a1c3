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
// on testing.TB). This is the same recipe: the server binaries that
// `make tools` installs under $OBJSTORE_TOOLS (MinIO and fake-gcs-server
// in bin/, Azurite in node/), a free port on 127.0.0.1, random root
// credentials where the server takes them (Azurite knows only its
// well-known development account), a temporary working directory, ready
// once the server answers its probe, killed (with its process group) when
// the benchmark ends or dies.

// toolsEnv names the directory of the installed test servers (exported
// by tools.mk).
const toolsEnv = "OBJSTORE_TOOLS"

// readyTimeout bounds the wait for a fresh server.
const readyTimeout = 60 * time.Second

// server is one running server process.
type server struct {
	Endpoint  string // 127.0.0.1:PORT
	AccessKey string // MinIO root user; Azure account name
	SecretKey string // MinIO root password; Azure account key
	Region    string
	name      string // for messages: "minio", "fake-gcs-server", "azurite"
	dir       string
	cmd       *exec.Cmd
	done      chan struct{}
}

// URL returns the server's base URL.
func (s *server) URL() string { return "http://" + s.Endpoint }

// toolPath finds an installed tool by its path under the tools directory
// (e.g. "bin/minio"): $OBJSTORE_TOOLS/rel, else .cache/rel above the
// working directory (bench/ runs from the repository's subdirectory).
func toolPath(rel string) (string, error) {
	if dir := os.Getenv(toolsEnv); dir != "" {
		p := filepath.Join(dir, rel)
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
		p := filepath.Join(dir, ".cache", rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no %s: $%s is unset and no .cache/%s above %s; run `make tools` at the repository root", filepath.Base(rel), toolsEnv, rel, wd)
		}
	}
}

// minioBinary finds the MinIO binary.
func minioBinary() (string, error) { return toolPath("bin/minio") }

// launch says how to start one kind of server.
type launch struct {
	name string // also the name of its log file
	bin  string
	// args returns the command line (after bin) for a server on port,
	// working in dir.
	args func(port int, dir string) []string
	env  []string
	// ready probes the fresh server once: nil when it serves.
	ready func(probe *http.Client, s *server) error
}

// startMinIO starts a single MinIO server with its data in a new
// temporary directory (under tmpRoot, "" for the system's), and waits
// until it is ready.
func startMinIO(tmpRoot string) (*server, error) {
	bin, err := minioBinary()
	if err != nil {
		return nil, err
	}
	access, secret := "ak"+randomHex(8), randomHex(16)
	return startServer(tmpRoot, launch{
		name: "minio",
		bin:  bin,
		args: func(port int, dir string) []string {
			return []string{"server", "--quiet",
				"--address", fmt.Sprintf("127.0.0.1:%d", port),
				"--certs-dir", filepath.Join(dir, "certs"),
				filepath.Join(dir, "data")}
		},
		env: []string{
			"MINIO_ROOT_USER=" + access,
			"MINIO_ROOT_PASSWORD=" + secret,
			"MINIO_REGION=us-east-1",
			"MINIO_CI_CD=1",
			"MINIO_BROWSER=off",
			"MINIO_UPDATE=off",
			"MINIO_CALLHOME_ENABLE=off",
		},
		// /minio/health/ready answers before the object layer is up,
		// /minio/health/cluster only once S3 calls work.
		ready: func(probe *http.Client, s *server) error {
			return probeStatus(probe, s.URL()+"/minio/health/cluster", http.StatusOK)
		},
	}, func(s *server) { s.AccessKey, s.SecretKey, s.Region = access, secret, "us-east-1" })
}

// startServer starts the server l describes on a free loopback port,
// in a new temporary directory under tmpRoot, and waits until it is
// ready; creds fills in the credentials of the server. A server that
// exits early (its port was taken in the meantime) is retried on another
// port, twice.
func startServer(tmpRoot string, l launch, creds func(*server)) (*server, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryStart(tmpRoot, l)
		if err == nil {
			if creds != nil {
				creds(s)
			}
			return s, nil
		}
		last = err
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, last
}

var errExited = errors.New("the server exited before it was ready")

func tryStart(tmpRoot string, l launch) (*server, error) {
	dir, err := os.MkdirTemp(tmpRoot, "objstore-bench-"+l.name+"-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{
		Endpoint: fmt.Sprintf("127.0.0.1:%d", port),
		name:     l.name,
		dir:      dir,
		done:     make(chan struct{}),
	}
	logPath := filepath.Join(dir, l.name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close() // the child has its own copy
	s.cmd = exec.Command(l.bin, l.args(port, dir)...)
	s.cmd.Env = append(os.Environ(), l.env...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // stop() kills the whole group
		Pdeathsig: syscall.SIGKILL, // no server outlives a crashed benchmark
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", l.bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(l.ready); err != nil {
		log, _ := os.ReadFile(logPath)
		s.stop()
		return nil, fmt.Errorf("%s: %w\n--- %s log ---\n%s", l.name, err, l.name, tail(string(log), 4<<10))
	}
	return s, nil
}

// waitReady polls the server with ready until it answers.
func (s *server) waitReady(ready func(*http.Client, *server) error) error {
	probe := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 3 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		err := ready(probe, s)
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return errExited
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %v", readyTimeout, err)
		}
	}
}

// probeStatus GETs url and wants the status want (0: any answer).
func probeStatus(probe *http.Client, url string, want int) error {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	resp, err := probe.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if want != 0 && resp.StatusCode != want {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
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
