package minio_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/tracing"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestFormatWhileBusy formats every backend this package returns (New,
// with a live and a dead endpoint so that the re-prober runs; the raw
// driver; New wrapped in logging, metrics and tracing) with %v, %+v and
// %#v while puts and gets run on it. Under -race, fmt must not read
// fields that goroutines change, and no format may show the secret.
func TestFormatWhileBusy(t *testing.T) {
	srv := testserver.StartMinIO(t)
	cfg := baseConfig(t, srv)
	cfg.Endpoints = []string{srv.Endpoint, deadEndpoint(t)}
	cfg.ReprobeMin, cfg.ReprobeMax = time.Millisecond, 5*time.Millisecond
	cfg.Retry.BaseDelay, cfg.Retry.MaxDelay = time.Millisecond, 5*time.Millisecond
	ctx := context.Background()
	b, err := minio.New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	raw := openDriver(t, srv, nil)

	backends := map[string]backend.Backend{
		"New":     b,
		"raw":     raw,
		"logging": logging.New(b, slog.New(slog.NewTextHandler(io.Discard, nil))),
		"metrics": metrics.New(b, prometheus.NewRegistry()),
		"tracing": tracing.New(b, noop.NewTracerProvider()),
		"twice":   logging.New(metrics.New(raw, prometheus.NewRegistry()), slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for name, be := range backends {
		for w := range 2 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					key := fmt.Sprintf("busy/%s/%d/%d", name, w, i%4)
					data := []byte(key)
					if _, err := be.Put(ctx, key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))}); err != nil {
						continue // the dead endpoint may have its turn
					}
					if rc, _, err := be.Get(ctx, key, backend.WholeObject); err == nil {
						io.Copy(io.Discard, rc)
						rc.Close()
					}
				}
			})
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		for name, be := range backends {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				out := fmt.Sprintf(verb, be)
				assert.NotContains(t, out, cfg.SecretKey, "%s formatted with %s", name, verb)
				assert.NotContains(t, out, cfg.AccessKey+":", "%s formatted with %s", name, verb)
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, "failover.Backend{endpoints: 2}", fmt.Sprintf("%#v", b))
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", raw), "minio.Driver(minio://"), fmt.Sprintf("%#v", raw))
}
