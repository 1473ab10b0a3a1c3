package testserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// S3Server is an S3-compatible server other than MinIO (versitygw),
// started for one test. The embedded Process gives Stop, Cont, Kill,
// Restart and Log.
type S3Server struct {
	*Process
	Endpoint  string // "127.0.0.1:PORT"
	AccessKey string // root access key
	SecretKey string // root secret key
	Region    string // "us-east-1"
	Dir       string // directory the posix backend stores buckets in
}

// URL returns the server's base URL, "http://127.0.0.1:PORT".
func (s *S3Server) URL() string { return "http://" + s.Endpoint }

// StartVersityGW starts versitygw with its posix backend in a temporary
// directory, random root credentials and a free loopback port, and waits
// (up to 60s) until it answers HTTP. t.Cleanup kills it.
func StartVersityGW(t testing.TB) *S3Server {
	t.Helper()
	bin := toolPath(t, "bin/versitygw")
	dir := t.TempDir()
	s := &S3Server{
		AccessKey: "ak" + randomHex(t, 8),
		SecretKey: randomHex(t, 16),
		Region:    "us-east-1",
		Dir:       filepath.Join(dir, "data"),
	}
	for _, d := range []string{s.Dir, filepath.Join(dir, "versions")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("testserver: %v", err)
		}
	}
	p, port := startOnFreePort(t, "versitygw", dir, nil, 60*time.Second,
		func(port int) []string {
			return []string{bin,
				"--access", s.AccessKey,
				"--secret", s.SecretKey,
				"--region", s.Region,
				"--port", fmt.Sprintf("127.0.0.1:%d", port),
				"--quiet", // no per-request log lines
				"posix",
				"--versioning-dir", filepath.Join(dir, "versions"),
				s.Dir}
		},
		func(ctx context.Context, port int) error {
			// Any HTTP answer (an unsigned request gets 403) means it serves.
			return httpReady(probeClient, fmt.Sprintf("http://127.0.0.1:%d/", port), 0)(ctx)
		})
	s.Process = p
	s.Endpoint = fmt.Sprintf("127.0.0.1:%d", port)
	return s
}
