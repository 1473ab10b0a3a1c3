package testserver

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// FakeGCS is a fake-gcs-server (in-memory backend, plain HTTP) started for
// one test. Point the GCS client at it with
// option.WithEndpoint(URL+"/storage/v1/") and option.WithoutAuthentication(),
// or set STORAGE_EMULATOR_HOST=Endpoint. The embedded Process gives Stop,
// Cont, Kill, Restart and Log; data does not survive Restart.
type FakeGCS struct {
	*Process
	Endpoint string // "127.0.0.1:PORT"
	URL      string // "http://127.0.0.1:PORT"
}

// StartFakeGCS starts fake-gcs-server on a free loopback port and waits (up
// to 60s) until GET /storage/v1/b answers 200. t.Cleanup kills it.
func StartFakeGCS(t testing.TB) *FakeGCS {
	t.Helper()
	bin := toolPath(t, "bin/fake-gcs-server")
	dir := t.TempDir()
	p, port := startOnFreePort(t, "fake-gcs-server", dir, nil, 60*time.Second,
		func(port int) []string {
			hostPort := fmt.Sprintf("127.0.0.1:%d", port)
			return []string{bin,
				"-backend", "memory",
				"-scheme", "http",
				"-host", "127.0.0.1",
				"-port", fmt.Sprint(port),
				// Defaults are storage.googleapis.com and the bind address:
				// use our own address in links and upload locations.
				"-public-host", hostPort,
				"-external-url", "http://" + hostPort,
				"-log-level", "warn"}
		},
		func(ctx context.Context, port int) error {
			return httpReady(probeClient, fmt.Sprintf("http://127.0.0.1:%d/storage/v1/b", port), 200)(ctx)
		})
	endpoint := fmt.Sprintf("127.0.0.1:%d", port)
	return &FakeGCS{Process: p, Endpoint: endpoint, URL: "http://" + endpoint}
}
