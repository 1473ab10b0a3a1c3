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
func testConfig() failover.Config {
	return failover.Config{
		MaxAttempts:    5,
		AttemptTimeout: 2 * time.Second,
		StallTimeout:   2 * time.Second,
		BaseDelay:      10 * time.Millisecond,
		MaxDelay:       100 * time.Millisecond,
		ReprobeMin:     100 * time.Millisecond,
		ReprobeMax:     500 * time.Millisecond,
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

// events counts the attempt events of the calls of a watched Backend.
type events struct {
	mu        sync.Mutex
	retries   int
	failovers []string
	states    []string
	// ends holds when each failed attempt ended (its AttemptRetry, which
	// every failover follows), in order.
	ends []time.Time
}

func (e *events) hook(ev backend.AttemptEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev.Kind {
	case backend.AttemptRetry:
		e.retries++
		e.ends = append(e.ends, time.Now())
	case backend.AttemptFailover:
		e.failovers = append(e.failovers, ev.Op+" "+ev.Endpoint+"->"+ev.To)
	case backend.AttemptEndpointDown, backend.AttemptEndpointUp:
		e.states = append(e.states, fmt.Sprintf("%s up=%v", ev.Endpoint, ev.Kind == backend.AttemptEndpointUp))
	}
}

// watch returns b with e's hook in the context of every core operation,
// as a wrapper above it (metrics, tracing, logging) adds its own.
func (e *events) watch(b *failover.Backend) watched { return watched{b, e} }

type watched struct {
	*failover.Backend
	ev *events
}

func (w watched) ctx(ctx context.Context) context.Context {
	return backend.WithAttemptHook(ctx, w.ev.hook)
}

func (w watched) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	return w.Backend.Put(w.ctx(ctx), key, r, opts)
}

func (w watched) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return w.Backend.Get(w.ctx(ctx), key, opts)
}

func (w watched) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	return w.Backend.Stat(w.ctx(ctx), key)
}

func (w watched) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return w.Backend.List(w.ctx(ctx), opts)
}

func (w watched) Remove(ctx context.Context, key string) error {
	return w.Backend.Remove(w.ctx(ctx), key)
}

func (e *events) counts() (retries int, failovers, states []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.retries, append([]string(nil), e.failovers...), append([]string(nil), e.states...)
}

// attempts returns how long each attempt of a call that ran from start to
// end lasted (a failed attempt's time includes the backoff that followed
// it), from the failed attempts the hook saw end in that span.
func (e *events) attempts(start, end time.Time) []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	var d []time.Duration
	from := start
	for _, t := range e.ends {
		if t.After(start) && !t.After(end) {
			d = append(d, t.Sub(from))
			from = t
		}
	}
	return append(d, end.Sub(from))
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
