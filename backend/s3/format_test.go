package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/backend/tracing"
)

// TestFormatWhileBusy formats every backend this package returns (New,
// NewDriver, and New wrapped in logging, metrics and tracing) with %v,
// %+v and %#v while puts and gets run on it. Under -race, fmt must not
// read fields that goroutines change, and no format may show the secret.
func TestFormatWhileBusy(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		ctx := t.Context()
		b, _ := srv.open(t)
		raw, _ := srv.openRaw(t)
		discard := slog.New(slog.NewTextHandler(io.Discard, nil))
		backends := map[string]backend.Backend{
			"New":     b,
			"raw":     raw,
			"logging": logging.New(b, discard),
			"metrics": metrics.New(b, prometheus.NewRegistry()),
			"tracing": tracing.New(b, noop.NewTracerProvider()),
			"twice":   logging.New(metrics.New(raw, prometheus.NewRegistry()), discard),
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for name, be := range backends {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					key := fmt.Sprintf("busy/%s/%d", name, i%4)
					if _, err := be.Put(ctx, key, bytes.NewReader([]byte(key)), backend.PutOptions{Size: int64(len(key))}); err != nil {
						continue
					}
					if rc, _, err := be.Get(ctx, key, backend.WholeObject); err == nil {
						io.Copy(io.Discard, rc)
						rc.Close()
					}
				}
			})
		}
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			for name, be := range backends {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
					out := fmt.Sprintf(verb, be)
					assert.NotContains(t, out, srv.secretKey, "%s formatted with %s", name, verb)
				}
			}
			time.Sleep(time.Millisecond)
		}
		close(stop)
		wg.Wait()
		assert.Equal(t, "s3.Backend("+b.(fmt.Stringer).String()+")", fmt.Sprintf("%#v", b))
		assert.Equal(t, "s3.Driver("+raw.String()+")", fmt.Sprintf("%#v", raw))
	})
}
