package testserver

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// MinIO is a single MinIO server on 127.0.0.1, started for one test.
// The embedded Process gives Stop, Cont, Kill, Restart and Log.
type MinIO struct {
	*Process
	Endpoint  string // "127.0.0.1:PORT"
	AccessKey string // root user
	SecretKey string // root password
	Region    string // "us-east-1"
	Dir       string // data directory
}

// URL returns the server's base URL, "http://127.0.0.1:PORT".
func (m *MinIO) URL() string { return "http://" + m.Endpoint }

// StartMinIO starts a MinIO server on a free loopback port with random root
// credentials and its data in t.TempDir(), and waits (up to 60s) until
// GET /minio/health/cluster answers 200 (storage, bucket metadata and IAM
// up; /minio/health/ready answers 200 before that and S3 calls then get
// 503 XMinioServerNotInitialized). t.Cleanup kills it.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin := toolPath(t, "bin/minio")
	dir := t.TempDir()
	m := &MinIO{
		AccessKey: "ak" + randomHex(t, 8),
		SecretKey: randomHex(t, 16),
		Region:    "us-east-1",
		Dir:       filepath.Join(dir, "data"),
	}
	p, port := startOnFreePort(t, "minio", dir, minioEnv(m.AccessKey, m.SecretKey, m.Region), 60*time.Second,
		func(port int) []string {
			return []string{bin, "server", "--quiet",
				"--address", fmt.Sprintf("127.0.0.1:%d", port),
				"--certs-dir", filepath.Join(dir, "certs"),
				m.Dir}
		},
		func(ctx context.Context, port int) error {
			return httpReady(probeClient, fmt.Sprintf("http://127.0.0.1:%d/minio/health/cluster", port), 200)(ctx)
		})
	m.Process = p
	m.Endpoint = fmt.Sprintf("127.0.0.1:%d", port)
	return m
}

// minioEnv is the environment of every MinIO server we start.
func minioEnv(user, password, region string) []string {
	return []string{
		"MINIO_ROOT_USER=" + user,
		"MINIO_ROOT_PASSWORD=" + password,
		"MINIO_REGION=" + region,
		"MINIO_CI_CD=1",     // no "container" heuristics, no terminal niceties
		"MINIO_BROWSER=off", // no web console, no extra port
		"MINIO_UPDATE=off",  // never look for updates
		"MINIO_CALLHOME_ENABLE=off",
	}
}
