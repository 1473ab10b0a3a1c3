package gocloud_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func containerName(t testing.TB) string {
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "objstore-" + hex.EncodeToString(b[:])
}

// openAzure opens a fresh container on Azurite with the raw driver
// (NewAzureDriver: one attempt per request), closed on cleanup.
func openAzure(t testing.TB, az *testserver.Azurite, opts ...gocloud.Option) *gocloud.Backend {
	t.Helper()
	b, err := gocloud.NewAzureDriver(context.Background(), azureConfig(t, az, opts...))
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// openAzureNew is openAzure through NewAzure: the driver in the retry
// layer.
func openAzureNew(t testing.TB, az *testserver.Azurite, opts ...gocloud.Option) backend.Backend {
	t.Helper()
	b, err := gocloud.NewAzure(context.Background(), azureConfig(t, az, opts...))
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// azureConfig names a fresh container on az, created on open.
func azureConfig(t testing.TB, az *testserver.Azurite, opts ...gocloud.Option) gocloud.AzureConfig {
	return gocloud.AzureConfig{
		Container:       containerName(t),
		ServiceURL:      az.Endpoint,
		AccountName:     az.Account,
		AccountKey:      az.Key,
		CreateContainer: true,
		Options:         opts,
	}
}

// setAzuriteEnv points gocloud's environment variables at az, as a user
// would for Azurite.
func setAzuriteEnv(t *testing.T, az *testserver.Azurite) {
	u, err := url.Parse(az.Endpoint)
	require.NoError(t, err)
	for _, v := range []string{"AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGEBLOB_CONNECTIONSTRING",
		"AZURE_STORAGE_IS_CDN", "AZURE_STORAGE_IS_LOCAL_EMULATOR"} {
		t.Setenv(v, "")
	}
	t.Setenv("AZURE_STORAGE_ACCOUNT", az.Account)
	t.Setenv("AZURE_STORAGE_KEY", az.Key)
	t.Setenv("AZURE_STORAGE_DOMAIN", u.Host)
	t.Setenv("AZURE_STORAGE_PROTOCOL", "http")
}

// TestConformanceAzurite runs the shared suite through NewAzure (the
// driver in the retry layer) and through the raw driver.
func TestConformanceAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	t.Run("NewAzure", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) backend.Backend { return openAzureNew(t, az) })
	})
	t.Run("NewAzureDriver", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) backend.Backend { return openAzure(t, az) })
	})
}

// TestConformanceAzuriteURL opens every namespace through an azblob://
// URL, configured by gocloud's environment variables only.
func TestConformanceAzuriteURL(t *testing.T) {
	az := testserver.StartAzurite(t)
	setAzuriteEnv(t, az)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		name := containerName(t)
		b, err := backend.Open(context.Background(), "azblob://"+name+"?create_container=true")
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		assert.Equal(t, "azblob://"+name, b.(interface{ String() string }).String())
		return b
	})
}

func TestClientAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	clienttest.Run(t, func(t *testing.T) backend.Backend { return openAzureNew(t, az) })
}

// rawContainer returns a container client of the SDK for checks that look
// past gocloud.
func rawContainer(t *testing.T, az *testserver.Azurite, name string) *container.Client {
	cred, err := container.NewSharedKeyCredential(az.Account, az.Key)
	require.NoError(t, err)
	c, err := container.NewClientWithSharedKeyCredential(az.Endpoint+"/"+name, cred, nil)
	require.NoError(t, err)
	return c
}

// listRaw lists the committed blobs of the container, as the SDK sees
// them (no key decoding).
func listRaw(t *testing.T, c *container.Client) []string {
	var names []string
	pager := c.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		require.NoError(t, err)
		for _, it := range page.Segment.BlobItems {
			names = append(names, *it.Name)
		}
	}
	return names
}

type stallAfter struct {
	ctx     context.Context
	data    []byte
	onStall func()
}

func (s *stallAfter) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		s.onStall()
		<-s.ctx.Done()
		return 0, s.ctx.Err()
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

// TestAzuriteAbortPublishesNothing cancels and fails puts after several
// blocks were staged (256 KiB blocks) and checks, with the SDK itself,
// that no blob was committed and an existing blob is unchanged.
func TestAzuriteAbortPublishesNothing(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az, gocloud.WithUploadBuffer(256<<10, 2))
	raw := rawContainer(t, az, strings.TrimPrefix(b.String(), "azblob://"))
	ctx := context.Background()
	_, err := b.Put(ctx, "existing", bytes.NewReader([]byte("old")), backend.PutOptions{Size: 3, Metadata: map[string]string{"v": "old"}})
	require.NoError(t, err)

	data := bytes.Repeat([]byte("0123456789abcdef"), (1<<20)/16)
	for _, key := range []string{"new", "existing"} {
		for _, size := range []int64{-1, 2 << 20} {
			cctx, cancel := context.WithCancel(ctx)
			_, err := b.Put(cctx, key, &stallAfter{ctx: cctx, data: data, onStall: cancel}, backend.PutOptions{Size: size})
			cancel()
			require.ErrorIs(t, err, context.Canceled, "%s, size %d", key, size)

			_, err = b.Put(ctx, key, &failAfter{data: data, n: 900 << 10}, backend.PutOptions{Size: size})
			require.ErrorIs(t, err, errSource, "%s, size %d", key, size)
		}
	}
	_, err = b.Stat(ctx, "new")
	require.ErrorIs(t, err, backend.ErrNotFound)
	st, err := b.Stat(ctx, "existing")
	require.NoError(t, err)
	assert.Equal(t, int64(3), st.Size)
	assert.Equal(t, map[string]string{"v": "old"}, st.Metadata)
	assert.Equal(t, []string{"existing"}, listRaw(t, raw), "no aborted put was committed")
}

// TestAzuriteIfNotExist: a refused create-only put is ErrExist and keeps
// Azure's own error reachable.
func TestAzuriteIfNotExist(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az)
	ctx := context.Background()
	_, err := b.Put(ctx, "once", bytes.NewReader([]byte("1")), backend.PutOptions{Size: 1, IfNotExist: true})
	require.NoError(t, err)
	_, err = b.Put(ctx, "once", bytes.NewReader([]byte("22")), backend.PutOptions{Size: 2, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, []int{409, 412}, re.StatusCode)
	t.Logf("Azurite refused the create-only put with %d %s", re.StatusCode, re.ErrorCode)
	st, err := b.Stat(ctx, "once")
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Size)
}

// TestAzuriteKeyEncodings shows the names each key encoding stores.
func TestAzuriteKeyEncodings(t *testing.T) {
	az := testserver.StartAzurite(t)
	setAzuriteEnv(t, az)
	ctx := context.Background()
	for _, c := range []struct {
		query string
		want  string
	}{
		{"", "a$2520b/x"},
		{"&key_encoding=azure", "a$2520b/x"},
		{"&key_encoding=raw", "a__0x25__20b/x"}, // gocloud's own escaping
	} {
		name := containerName(t)
		b, err := backend.Open(ctx, "azblob://"+name+"?create_container=true"+c.query)
		require.NoError(t, err)
		_, err = b.Put(ctx, "a%20b/x", bytes.NewReader([]byte("v")), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{c.want}, listRaw(t, rawContainer(t, az, name)), c.query)
		page, err := b.List(ctx, backend.ListOptions{Prefix: "a%"})
		require.NoError(t, err)
		require.Len(t, page.Objects, 1)
		assert.Equal(t, "a%20b/x", page.Objects[0].Key)
		require.NoError(t, b.Close())
	}
}

func TestAzureConfigFromURL(t *testing.T) {
	parse := func(s string) (gocloud.AzureConfig, error) {
		u, err := url.Parse(s)
		require.NoError(t, err)
		return gocloud.AzureConfigFromURL(u)
	}
	clearAzureEnv := func() {
		for _, v := range []string{"AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING",
			"AZURE_STORAGEBLOB_CONNECTIONSTRING", "AZURE_STORAGE_DOMAIN", "AZURE_STORAGE_PROTOCOL", "AZURE_STORAGE_IS_CDN", "AZURE_STORAGE_IS_LOCAL_EMULATOR"} {
			t.Setenv(v, "")
		}
	}

	clearAzureEnv()
	t.Setenv("AZURE_STORAGE_ACCOUNT", "acct")
	t.Setenv("AZURE_STORAGE_KEY", "c2VjcmV0")
	cfg, err := parse("azblob://box")
	require.NoError(t, err)
	assert.Equal(t, "https://acct.blob.core.windows.net", cfg.ServiceURL)
	assert.Equal(t, "acct", cfg.AccountName)
	assert.Equal(t, "box", cfg.Container)
	cfg, err = parse("azblob://box?domain=127.0.0.1:10000&protocol=http&create_container=true&key_encoding=raw")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:10000/acct", cfg.ServiceURL)
	assert.True(t, cfg.CreateContainer)
	assert.True(t, cfg.RawKeys)
	assert.Equal(t, failover.Retry{}, cfg.Retry)
	cfg, err = parse("azblob://box?max_attempts=3&attempt_timeout=2s&stall_timeout=1m&max_elapsed=90s")
	require.NoError(t, err)
	assert.Equal(t, failover.Retry{MaxAttempts: 3, AttemptTimeout: 2 * time.Second, StallTimeout: time.Minute, MaxElapsed: 90 * time.Second}, cfg.Retry)
	cfg, err = parse("azblob://box?domain=example.test&localemu=true")
	require.NoError(t, err)
	assert.Equal(t, "https://example.test/acct", cfg.ServiceURL)

	for _, bad := range []string{
		"azblob://",
		"azblob://box/path",
		"azblob://user:c2VjcmV0@box",
		"azblob://box?unknown=1",
		"azblob://box?localemu=maybe",
		"azblob://box?key_encoding=base64",
		"azblob://box?protocol=ftp",
		"azblob://box?storage_account=other", // the key is acct's
		"azblob://box?max_attempts=0",
		"azblob://box?attempt_timeout=soon",
		"azblob://box?base_delay=1s", // not a URL parameter
	} {
		_, err := parse(bad)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "c2VjcmV0", bad)
	}

	// A SAS token from the environment cannot be sent to another endpoint.
	clearAzureEnv()
	t.Setenv("AZURE_STORAGE_ACCOUNT", "acct")
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", "sv=2024&sig=c2VjcmV0")
	cfg, err = parse("azblob://box")
	require.NoError(t, err)
	assert.Equal(t, "sv=2024&sig=c2VjcmV0", cfg.SASToken)
	_, err = parse("azblob://box?domain=evil.test")
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "c2VjcmV0")

	clearAzureEnv()
	_, err = parse("azblob://box")
	require.ErrorIs(t, err, backend.ErrInvalidArgument, "no account")
}

// TestOpenAzuriteConnectionString opens Azurite with
// AZURE_STORAGE_CONNECTION_STRING alone.
func TestOpenAzuriteConnectionString(t *testing.T) {
	az := testserver.StartAzurite(t)
	for _, v := range []string{"AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_DOMAIN", "AZURE_STORAGE_PROTOCOL"} {
		t.Setenv(v, "")
	}
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
	ctx := context.Background()
	b, err := backend.Open(ctx, "azblob://"+containerName(t)+"?create_container=true")
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Put(ctx, "k", bytes.NewReader([]byte("v")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	st, err := b.Stat(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Size)
	assert.NotEmpty(t, st.ETag)
	assert.NotContains(t, st.ETag, `"`)
}
