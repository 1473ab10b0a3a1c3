package gcs_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// dialingClient returns an HTTP client that sends every request to addr
// (a proxy), with the URLs and Host of the server itself: fake-gcs-server
// reads a Host other than its own as a virtual-hosted bucket name.
func dialingClient(t *testing.T, addr string) *http.Client {
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableCompression: true, // the stored bytes, as the driver's own transport
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// requestLog records the requests the HTTP proxy sees, as "METHOD
// RANGE", through a fault that never answers.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) fault() faultproxy.Fault {
	return faultproxy.Fault{Times: -1, Match: func(r *http.Request) bool {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.Header.Get("Range"))
		l.mu.Unlock()
		return false
	}}
}

func (l *requestLog) ranged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if strings.HasPrefix(r, "GET bytes=") {
			out = append(out, strings.TrimPrefix(r, "GET "))
		}
	}
	return out
}

// TestRetryLayer: New's Backend on fake-gcs-server behind the fault
// proxies. Busy answers (503, 429) on puts and gets are retried and the
// call succeeds; and retrytest.CheckLayer, where a download cut mid-body
// is resumed with a ranged read of the same version, after the storage
// library's own re-request.
func TestRetryLayer(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	ch := retrytest.StartChain(t, srv.Endpoint)
	ctx := t.Context()
	bucket := bucketName(t)
	direct, err := gcs.NewDriver(ctx, gcs.Config{Bucket: bucket, CreateBucket: true, ProjectID: "objstore-test",
		Endpoint: srv.URL + "/storage/v1/", Anonymous: true})
	require.NoError(t, err)
	t.Cleanup(func() { direct.Close() })
	open := func(t *testing.T, r failover.Retry) backend.Backend {
		b, err := gcs.New(ctx, gcs.Config{Bucket: bucket, Endpoint: srv.URL + "/storage/v1/", Anonymous: true, Retry: r,
			ClientOptions: []option.ClientOption{option.WithHTTPClient(dialingClient(t, ch.TCP.Addr()))}})
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		return b
	}
	small := payload(64 << 10)
	put := func(b backend.Backend, key string, data []byte) error { return retrytest.Put(ctx, b, key, data) }

	t.Run("busy answers are retried", func(t *testing.T) {
		b := open(t, retrytest.LayerRetry)
		ch.Reset(t)
		ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodPost, Status: 503, Code: "ServiceUnavailable"},
			faultproxy.Fault{Method: http.MethodPost, Status: 429, Code: "TooManyRequests"})
		require.NoError(t, put(b, "busy", small))
		assert.Equal(t, 2, ch.HTTP.Injected(http.MethodPost))
		assert.Equal(t, 3, ch.HTTP.Requests(http.MethodPost), "two busy answers, then the upload")

		ch.HTTP.ResetCounts()
		ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Times: 2})
		rc, _, err := b.Get(ctx, "busy", backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		assert.Equal(t, small, got)
		assert.Equal(t, 2, ch.HTTP.Injected(http.MethodGet))
		assert.Equal(t, 4, ch.HTTP.Requests(http.MethodGet), "two busy answers, then the attributes and the bytes")

		ch.HTTP.ResetCounts()
		ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 429})
		_, err = b.Stat(ctx, "busy")
		require.NoError(t, err)
		assert.Equal(t, 2, ch.HTTP.Requests(http.MethodGet))
	})

	retrytest.CheckLayer(t, retrytest.Layer{
		Chain:      ch,
		Open:       open,
		Direct:     direct,
		StatMethod: http.MethodGet,
		PutMethod:  http.MethodPost,
		CutResume: func(t *testing.T) func(t *testing.T) {
			var log requestLog
			// The storage library asks for the rest of a broken body once by
			// itself; that request fails, so the retry layer resumes.
			ch.HTTP.Inject(log.fault(), faultproxy.Fault{Method: http.MethodGet, Status: 503,
				Match: func(r *http.Request) bool { return retrytest.RangeFrom(r) > 0 }})
			return func(t *testing.T) {
				assert.Equal(t, 1, ch.HTTP.Injected(http.MethodGet), "the library's own re-request")
				ranged := log.ranged()
				require.Len(t, ranged, 2, "the library's re-request and the resume: %v", ranged)
				from := func(r string) string { f, _, _ := strings.Cut(r, "-"); return f }
				assert.Equal(t, from(ranged[0]), from(ranged[1]), "the resume starts where the body broke: %v", ranged)
				assert.NotEqual(t, "bytes=0", from(ranged[0]))
			}
		},
		OnResume: func(t *testing.T, replace func()) {
			// The library's own re-request, after the break, replaces the
			// object and fails; the retry layer's resume then finds it
			// changed.
			ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503,
				Match: func(r *http.Request) bool {
					if retrytest.RangeFrom(r) <= 0 {
						return false
					}
					replace()
					return true
				}})
		},
	})
}

// TestNewRetryConfig: New checks Config.Retry before it opens anything,
// and the Backend it returns is named after the bucket.
func TestNewRetryConfig(t *testing.T) {
	_, err := gcs.New(context.Background(), gcs.Config{Bucket: "b", Retry: failover.Retry{StallTimeout: -time.Second}})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "StallTimeout")
	b, err := gcs.New(context.Background(), gcs.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1/storage/v1/", Anonymous: true})
	require.NoError(t, err)
	assert.Equal(t, "gs://b", b.(interface{ String() string }).String())
	_, isDriver := b.(*gcs.Backend)
	assert.False(t, isDriver, "New returns the retry layer")
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
}
