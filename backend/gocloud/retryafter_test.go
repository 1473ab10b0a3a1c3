package gocloud_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// retryAfterAzurite puts az behind a proxy that answers some requests
// with 503 or 429 and Retry-After (or Azure's x-ms-retry-after-ms). With
// the SDK's own retries off, the Backend's error carries the delay, and
// *azcore.ResponseError stays reachable. (TestAzuriteUnderFaults runs it,
// to start one Azurite for both.)
func retryAfterAzurite(t *testing.T, az *testserver.Azurite) {
	host := strings.TrimPrefix(strings.TrimSuffix(az.Endpoint, "/"+az.Account), "http://")
	proxy := faultproxy.StartHTTP(t, host)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	cred, err := container.NewSharedKeyCredential(az.Account, az.Key)
	require.NoError(t, err)
	name := containerName(t)
	client, err := container.NewClientWithSharedKeyCredential("http://"+proxy.Addr()+"/"+az.Account+"/"+name, cred,
		&container.ClientOptions{ClientOptions: azcore.ClientOptions{
			Transport: &http.Client{Transport: transport},
			Retry:     policy.RetryOptions{MaxRetries: -1}, // one attempt: retrying is failover's job
		}})
	require.NoError(t, err)
	b, err := gocloud.NewAzureDriver(t.Context(), gocloud.AzureConfig{Container: name, Client: client, CreateContainer: true})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	ctx := t.Context()
	_, err = b.Put(ctx, "k", bytes.NewReader([]byte("hello")), backend.PutOptions{Size: 5})
	require.NoError(t, err)

	for _, c := range []struct {
		name  string
		fault faultproxy.Fault
		call  func() error
		op    string
		want  time.Duration
	}{
		{"stat, 503, Retry-After", faultproxy.Fault{Method: http.MethodHead, Status: 503, Header: http.Header{"Retry-After": {"2"}}},
			func() error { _, err := b.Stat(ctx, "k"); return err }, "stat", 2 * time.Second},
		{"list, 503, x-ms-retry-after-ms", faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "ServerBusy",
			Header: http.Header{"X-Ms-Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}},
			func() error { _, err := b.List(ctx, backend.ListOptions{Prefix: "k"}); return err }, "list", 1500 * time.Millisecond},
		{"get, 429", faultproxy.Fault{Method: http.MethodGet, Status: 429, Header: http.Header{"Retry-After": {"4"}}},
			func() error { _, _, err := b.Get(ctx, "k", backend.WholeObject); return err }, "get", 4 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy.Inject(c.fault)
			err := c.call()
			require.ErrorIs(t, err, backend.ErrServerBusy)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, c.op, be.Op)
			d, ok := backend.RetryAfter(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, c.want, d)
			assert.Equal(t, c.want, be.RetryAfter)
			var re *azcore.ResponseError
			require.ErrorAs(t, err, &re, "the SDK's error stays reachable")
			assert.Equal(t, c.fault.Status, re.StatusCode)
			t.Log(err)
		})
	}
	assert.Equal(t, 3, proxy.Injected(""))
}
