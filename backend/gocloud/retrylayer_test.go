package gocloud_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// requestLog records the ranged GETs the HTTP proxy sees, as "RANGE
// IF-MATCH", through a fault that never answers.
type requestLog struct {
	mu     sync.Mutex
	ranged []string
}

func (l *requestLog) fault() faultproxy.Fault {
	return faultproxy.Fault{Method: http.MethodGet, Times: -1, Match: func(r *http.Request) bool {
		if rg := retrytest.RangeHeader(r); rg != "" {
			l.mu.Lock()
			l.ranged = append(l.ranged, rg+" "+r.Header.Get("If-Match"))
			l.mu.Unlock()
		}
		return false
	}}
}

func (l *requestLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ranged...)
}

// TestRetryLayerAzurite: NewAzure's Backend on Azurite behind the fault
// proxies. Busy answers (503, 429) on puts and gets are retried and the
// call succeeds; and retrytest.CheckLayer, where a download cut mid-body
// is resumed with a ranged read whose ETag must be the one it started
// with.
func TestRetryLayerAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	host := strings.TrimPrefix(strings.TrimSuffix(az.Endpoint, "/"+az.Account), "http://")
	ch := retrytest.StartChain(t, host)
	ctx := t.Context()
	name := containerName(t)
	direct, err := gocloud.NewAzureDriver(ctx, gocloud.AzureConfig{Container: name, ServiceURL: az.Endpoint,
		AccountName: az.Account, AccountKey: az.Key, CreateContainer: true})
	require.NoError(t, err)
	t.Cleanup(func() { direct.Close() })
	open := func(t *testing.T, r failover.Retry) backend.Backend {
		b, err := gocloud.NewAzure(ctx, gocloud.AzureConfig{Container: name, ServiceURL: "http://" + ch.TCP.Addr() + "/" + az.Account,
			AccountName: az.Account, AccountKey: az.Key, Retry: r})
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		return b
	}
	small := payload(64 << 10)
	put := func(b backend.Backend, key string, data []byte) error { return retrytest.Put(ctx, b, key, data) }
	get := func(b backend.Backend, key string) ([]byte, error) { return retrytest.GetAll(ctx, b, key) }

	t.Run("busy answers are retried", func(t *testing.T) {
		b := open(t, retrytest.LayerRetry)
		ch.Reset(t)
		ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodPut, Status: 503, Code: "ServerBusy"},
			faultproxy.Fault{Method: http.MethodPut, Status: 429})
		require.NoError(t, put(b, "busy", small))
		assert.Equal(t, 2, ch.HTTP.Injected(http.MethodPut))
		assert.Equal(t, 3, ch.HTTP.Requests(http.MethodPut), "two busy answers, then the upload")

		ch.HTTP.ResetCounts()
		ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "ServerBusy"},
			faultproxy.Fault{Method: http.MethodGet, Status: 429})
		got, err := get(b, "busy")
		require.NoError(t, err)
		assert.Equal(t, small, got)
		assert.Equal(t, 2, ch.HTTP.Injected(""))
		assert.Equal(t, 0, ch.HTTP.Requests(http.MethodHead), "a get is one request (getAzure)")
		assert.Equal(t, 3, ch.HTTP.Requests(http.MethodGet), "two busy answers, then the bytes")
	})

	retrytest.CheckLayer(t, retrytest.Layer{
		Chain:      ch,
		Open:       open,
		Direct:     direct,
		StatMethod: http.MethodHead,
		PutMethod:  http.MethodPut,
		CutResume: func(t *testing.T) func(t *testing.T) {
			var log requestLog
			ch.HTTP.Inject(log.fault())
			return func(t *testing.T) {
				// The first read asks for the whole blob (no range); the
				// resume for the rest, and the retry layer compares the
				// ETag its answer carries with the first read's (the
				// replaced-object case shows the refusal).
				ranged := log.get()
				require.Len(t, ranged, 1, "the resume: %v", ranged)
				rg, _, _ := strings.Cut(ranged[0], " ")
				assert.NotEqual(t, "bytes=0-", rg[:min(len(rg), 8)], "the resume starts where the body broke: %v", ranged)
			}
		},
		OnResume: func(t *testing.T, replace func()) {
			// The resume is one Get Blob: the blob is replaced before it.
			cuts := ch.TCP.Cuts()
			ch.HTTP.Inject(faultproxy.Fault{Method: http.MethodGet, Times: -1, Match: func(*http.Request) bool {
				if ch.TCP.Cuts() > cuts {
					replace()
				}
				return false
			}})
		},
	})
}

// TestNewAzureRetryConfig: NewAzure checks Config.Retry before it opens
// anything, and the Backend it returns is named after the container.
func TestNewAzureRetryConfig(t *testing.T) {
	cfg := gocloud.AzureConfig{Container: "box", ServiceURL: "http://127.0.0.1:1/acct", AccountName: "acct", AccountKey: "c2VjcmV0"}
	bad := cfg
	bad.Retry = failover.Retry{MaxAttempts: -1}
	_, err := gocloud.NewAzure(context.Background(), bad)
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "MaxAttempts")
	b, err := gocloud.NewAzure(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, "azblob://box", b.(interface{ String() string }).String())
	_, isDriver := b.(*gocloud.Backend)
	assert.False(t, isDriver, "NewAzure returns the retry layer")
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
}
