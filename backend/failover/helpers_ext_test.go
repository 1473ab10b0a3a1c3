package failover_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

const bucket = "failover-test"

// server is one real MinIO with a raw driver that bypasses every proxy,
// to check what is really stored.
type server struct {
	srv *testserver.MinIO
	cfg minio.Config // for the endpoint drivers: no bucket creation
	raw *minio.Driver
}

func startServer(t *testing.T, partSize int64) *server {
	t.Helper()
	srv := testserver.StartMinIO(t)
	cfg := minio.Config{
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Region: srv.Region,
		Bucket: bucket, CreateBucket: true, PartSize: partSize,
	}
	raw, err := minio.NewEndpoint(context.Background(), cfg, srv.Endpoint)
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	cfg.CreateBucket = false
	return &server{srv: srv, cfg: cfg, raw: raw}
}

// testConfig has test-sized timings: quick backoffs and re-probes,
// timeouts of a second or two.
func testConfig(obs failover.Observer) failover.Config {
	return failover.Config{
		MaxAttempts:    5,
		AttemptTimeout: 2 * time.Second,
		StallTimeout:   2 * time.Second,
		BaseDelay:      10 * time.Millisecond,
		MaxDelay:       100 * time.Millisecond,
		ReprobeMin:     100 * time.Millisecond,
		ReprobeMax:     500 * time.Millisecond,
		Observer:       obs,
	}
}

// open returns a failover Backend over endpoints, each opened with the
// raw MinIO driver and cfg.
func open(t *testing.T, cfg minio.Config, fc failover.Config, endpoints ...string) *failover.Backend {
	t.Helper()
	fc.Resolve = func(context.Context) ([]string, error) { return endpoints, nil }
	fc.Open = func(ctx context.Context, ep string) (backend.Backend, error) {
		return minio.NewEndpoint(ctx, cfg, ep)
	}
	b, err := failover.New(context.Background(), fc)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// events is an Observer that counts what it hears.
type events struct {
	mu        sync.Mutex
	retries   int
	failovers []string
	states    []string
}

func (e *events) Retry(_ context.Context, op, key, endpoint string, attempt int, err error) {
	e.mu.Lock()
	e.retries++
	e.mu.Unlock()
}

func (e *events) Failover(_ context.Context, op, key, from, to string, err error) {
	e.mu.Lock()
	e.failovers = append(e.failovers, op+" "+from+"->"+to)
	e.mu.Unlock()
}

func (e *events) EndpointState(endpoint string, up bool) {
	e.mu.Lock()
	e.states = append(e.states, fmt.Sprintf("%s up=%v", endpoint, up))
	e.mu.Unlock()
}

func (e *events) counts() (retries int, failovers, states []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.retries, append([]string(nil), e.failovers...), append([]string(nil), e.states...)
}

// payload returns n pseudo-random bytes of a seed.
func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, ^seed))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// stored returns the sha256 of key as read through be, and its size.
func stored(t *testing.T, be backend.Backend, key string) ([32]byte, int64) {
	t.Helper()
	rc, _, err := be.Get(context.Background(), key, backend.WholeObject)
	require.NoError(t, err, "reading %q back", key)
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	require.NoError(t, err, "reading %q back", key)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n
}

// onlyReader hides Seek.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
