package gocloud_test

import (
	"context"
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
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// retryAfterAzurite runs retrytest.CheckRetryAfter on the raw driver of
// az behind an HTTP fault proxy, with the SDK's own retries off, and with
// Azure's x-ms-retry-after-ms, which wins over Retry-After:
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
	retrytest.CheckRetryAfter(t, retrytest.RetryAfter{
		Backend: b,
		Proxy:   proxy,
		Secret:  az.Key,
		Extra: []retrytest.RetryAfterCase{{
			Name: "list, 503, x-ms-retry-after-ms",
			Fault: faultproxy.Fault{Method: http.MethodGet, Status: 503, Code: "ServerBusy",
				Header: http.Header{"X-Ms-Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}},
			Call: func(ctx context.Context, b backend.Backend) error {
				_, err := b.List(ctx, backend.ListOptions{Prefix: "k"})
				return err
			},
			Op: "list", Want: 1500 * time.Millisecond,
		}},
		Native: func(t *testing.T, err error, status int, _ string) {
			var re *azcore.ResponseError
			require.ErrorAs(t, err, &re, "the SDK's error stays reachable")
			assert.Equal(t, status, re.StatusCode)
		},
	})
}
