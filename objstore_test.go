package objstore_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

func TestOpenURLs(t *testing.T) {
	ctx := t.Context()
	for _, url := range []string{"mem://", "mem://open-test", "file://" + t.TempDir()} {
		c, err := objstore.Open(ctx, url)
		require.NoError(t, err, url)
		_, err = c.PutObject(ctx, "k", strings.NewReader("v"), nil)
		require.NoError(t, err, url)
		rc, err := c.GetObject(ctx, "k")
		require.NoError(t, err, url)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, "v", string(data), url)
		require.NoError(t, c.Close())
	}

	// The root package's tests import backend/s3 (the presign example),
	// not backend/gcs: gs:// is not registered here.
	_, err := objstore.Open(ctx, "gs://bucket")
	require.ErrorIs(t, err, objstore.ErrNotSupported)
	assert.Contains(t, err.Error(), "backend/gcs", "the error names the import to add")

	// minio:// is always registered (NewClient imports the driver); a bad
	// URL is refused without showing its secret.
	_, err = objstore.Open(ctx, "minio://user:topsecret@127.0.0.1:1/")
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "topsecret")
}

// recorder is a middleware that records the order in which calls pass.
type recorder struct {
	backend.Backend
	name  string
	trail *[]string
	mu    *sync.Mutex
}

func (r *recorder) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	r.mu.Lock()
	*r.trail = append(*r.trail, r.name)
	r.mu.Unlock()
	return r.Backend.Stat(ctx, key)
}

func (r *recorder) Unwrap() backend.Backend { return r.Backend }

func TestMiddlewareOrder(t *testing.T) {
	var trail []string
	var mu sync.Mutex
	wrap := func(name string) func(backend.Backend) backend.Backend {
		return func(b backend.Backend) backend.Backend {
			return &recorder{Backend: b, name: name, trail: &trail, mu: &mu}
		}
	}
	m := mem.New()
	c := objstore.New(m, objstore.WithMiddleware(wrap("inner")), objstore.WithMiddleware(wrap("outer")),
		objstore.WithMiddleware(func(backend.Backend) backend.Backend { return nil }))
	_, err := c.StatObject(t.Context(), "missing")
	require.ErrorIs(t, err, objstore.ErrNotFound)
	assert.Equal(t, "outer", trail[0], "the last middleware given sees calls first")
	assert.Equal(t, "inner", trail[1])
	outer, ok := c.Backend().(*recorder)
	require.True(t, ok)
	assert.Equal(t, "outer", outer.name)
	// Capabilities of the driver are found through the middleware.
	_, ok = backend.As[backend.BatchRemover](c.Backend())
	assert.True(t, ok)
	require.NoError(t, c.Close())
	_, err = m.Stat(t.Context(), "k")
	assert.ErrorIs(t, err, objstore.ErrClosed, "Close reaches the driver through the middleware")
}

func TestNewPanicsOnNil(t *testing.T) {
	assert.PanicsWithValue(t, "objstore: New with a nil backend", func() { objstore.New(nil) })
}

func TestStaticResolver(t *testing.T) {
	r := objstore.StaticResolver{"http://a:9000", "b:9000"}
	got := r.GetURLs("any")
	assert.Equal(t, []string{"http://a:9000", "b:9000"}, got)
	got[0] = "changed"
	assert.Equal(t, "http://a:9000", r[0], "GetURLs returns a copy")
}

func TestNewClientArguments(t *testing.T) {
	for _, v := range []string{"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"} {
		t.Setenv(v, "")
	}
	good := objstore.StaticResolver{"http://127.0.0.1:1"}
	creds := objstore.WithCredentials("ak", "sk-very-secret")
	for _, tc := range []struct {
		name, tenant, service string
		r                     objstore.Resolver
		opts                  []objstore.Option
		kind                  error
		mention               string
	}{
		{"empty tenant", "", "pktcap", good, []objstore.Option{creds}, objstore.ErrInvalidArgument, "tenant"},
		{"upper-case service", "default", "PktCap", good, []objstore.Option{creds}, objstore.ErrInvalidArgument, "service"},
		{"dot in tenant", "a.b", "pktcap", good, []objstore.Option{creds}, objstore.ErrInvalidArgument, "tenant"},
		{"leading dash", "default", "-x", good, []objstore.Option{creds}, objstore.ErrInvalidArgument, "service"},
		{"bucket too long", strings.Repeat("t", 40), strings.Repeat("s", 30), good, []objstore.Option{creds}, objstore.ErrInvalidArgument, "63"},
		{"nil resolver", "default", "pktcap", nil, []objstore.Option{creds}, objstore.ErrInvalidArgument, "resolver"},
		{"no credentials", "default", "pktcap", good, nil, objstore.ErrInvalidArgument, "MINIO_ROOT_USER"},
		{"empty credentials", "default", "pktcap", good, []objstore.Option{objstore.WithCredentials("", "")}, objstore.ErrInvalidArgument, "WithCredentials"},
		{"no URLs", "default", "pktcap", objstore.StaticResolver{}, []objstore.Option{creds}, objstore.ErrUnavailable, "no URLs"},
		{"mixed schemes", "default", "pktcap", objstore.StaticResolver{"http://a:1", "https://b:1"}, []objstore.Option{creds}, objstore.ErrInvalidArgument, "mix"},
		{"bad scheme", "default", "pktcap", objstore.StaticResolver{"ftp://a:1"}, []objstore.Option{creds}, objstore.ErrInvalidArgument, "scheme"},
		{"path", "default", "pktcap", objstore.StaticResolver{"http://a:1/bucket"}, []objstore.Option{creds}, objstore.ErrInvalidArgument, "path"},
		{"userinfo", "default", "pktcap", objstore.StaticResolver{"http://u:pw-in-url@a:1"}, []objstore.Option{creds}, objstore.ErrInvalidArgument, "WithCredentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := objstore.NewClient(tc.tenant, tc.service, tc.r, tc.opts...)
			require.Nil(t, c)
			require.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.mention)
			assert.NotContains(t, err.Error(), "sk-very-secret")
			assert.NotContains(t, err.Error(), "pw-in-url")
		})
	}
}

func TestNewClientUnreachable(t *testing.T) {
	t.Setenv("MINIO_ROOT_USER", "")
	t.Setenv("MINIO_ROOT_PASSWORD", "")
	t.Setenv("MINIO_ACCESS_KEY", "env-ak")
	t.Setenv("MINIO_SECRET_KEY", "env-sk-secret")
	asked := ""
	r := resolverFunc(func(service string) []string { asked = service; return []string{"127.0.0.1:1"} })
	start := time.Now()
	_, err := objstore.NewClient("default", "pktcap", r)
	require.ErrorIs(t, err, objstore.ErrUnavailable)
	assert.Less(t, time.Since(start), 10*time.Second, "a refused connection fails fast")
	assert.Contains(t, err.Error(), "default.pktcap", "the error names the bucket")
	assert.NotContains(t, err.Error(), "env-sk-secret")
	assert.Equal(t, "pktcap", asked, "the resolver is asked for the service")
}

type resolverFunc func(string) []string

func (f resolverFunc) GetURLs(s string) []string { return f(s) }

// statCounter counts the requests a waiting stream reader makes.
type statCounter struct {
	backend.Backend
	calls atomic.Int64
}

func (s *statCounter) Get(ctx context.Context, key string, o backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	s.calls.Add(1)
	return s.Backend.Get(ctx, key, o)
}

func (s *statCounter) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	s.calls.Add(1)
	return s.Backend.Stat(ctx, key)
}

// With the default poll interval a waiting reader sees a new chunk within
// 100ms, and an idle wait costs about two requests per 100ms. The test
// runs on synctest's clock: the latency it measures is the poll schedule's,
// not the machine's load.
func TestStreamDefaultPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		sc := &statCounter{Backend: mem.New()}
		c := objstore.New(sc)
		w, err := c.PutStreamObject(ctx, "poll/cap", nil)
		require.NoError(t, err)

		type result struct {
			at  time.Time
			err error
		}
		got := make(chan result, 1)
		before := sc.calls.Load()
		go func() {
			rc, err := c.GetStreamObjectAtOffset(ctx, "poll/cap", 0)
			if err == nil {
				rc.Close()
			}
			got <- result{time.Now(), err}
		}()
		time.Sleep(time.Second)
		synctest.Wait()
		idle := sc.calls.Load() - before
		written := time.Now()
		_, err = w.Write([]byte("x"))
		require.NoError(t, err)
		r := <-got
		require.NoError(t, r.err)
		latency := r.at.Sub(written)
		t.Logf("requests while waiting 1s: %d; latency after the write: %v", idle, latency)
		assert.LessOrEqual(t, latency, 100*time.Millisecond, "seen within the 100ms cap")
		assert.LessOrEqual(t, idle, int64(2*(1+1000/100)+4), "about two requests per 100ms once backed off")
		assert.GreaterOrEqual(t, idle, int64(10), "it polls")
		require.NoError(t, w.Close())
	})
}

// The client's cost per call over the backend's own: at most one
// allocation (the *ObjectStats StatObject must return) and no more.
func TestClientOverheadAllocs(t *testing.T) {
	ctx := context.Background()
	m := mem.New()
	c := objstore.New(m)
	data := []byte("0123456789")
	r := new(strings.Reader)
	_, err := m.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	for _, tc := range []struct {
		name           string
		client, direct func()
		extra          float64
	}{
		{"put", func() {
			r.Reset(string(data))
			_, _ = c.PutObject(ctx, "obj", r, nil)
		}, func() {
			r.Reset(string(data))
			_, _ = m.Put(ctx, "obj", r, backend.PutOptions{Size: int64(r.Len())})
		}, 0},
		{"get", func() {
			rc, _ := c.GetObject(ctx, "k")
			rc.Close()
		}, func() {
			rc, _, _ := m.Get(ctx, "k", backend.WholeObject)
			rc.Close()
		}, 1}, // the reader that checks the checksum of a full read
		{"stat", func() { _, _ = c.StatObject(ctx, "k") }, func() { _, _ = m.Stat(ctx, "k") }, 1},
		{"remove", func() { _ = c.RemoveObject(ctx, "gone") }, func() { _ = m.Remove(ctx, "gone") }, 0},
	} {
		client := testing.AllocsPerRun(200, tc.client)
		direct := testing.AllocsPerRun(200, tc.direct)
		t.Logf("%s: client %.1f allocs, backend %.1f", tc.name, client, direct)
		assert.LessOrEqual(t, client-direct, tc.extra, "%s: allocations beyond the backend's", tc.name)
	}
}

// TestClientString: a client prints as its store's name, never its
// fields or a secret.
func TestClientString(t *testing.T) {
	c := objstore.New(mem.New())
	defer c.Close()
	assert.Equal(t, "objstore.Client(mem)", fmt.Sprintf("%v", c))
	assert.Equal(t, fmt.Sprintf("%v", c), fmt.Sprintf("%#v", c))
}
