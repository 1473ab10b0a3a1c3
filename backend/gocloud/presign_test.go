package gocloud_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// blockBlob is the header Azure's Put Blob needs.
var blockBlob = http.Header{"X-Ms-Blob-Type": {"BlockBlob"}}

// TestPresignAzurite uses SAS URLs of each method on Azurite, which checks
// them: GET returns the bytes, HEAD the size, PUT stores, DELETE removes,
// and a tampered, a misused or an expired URL is refused.
func TestPresignAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az)
	ctx := t.Context()
	const key = "pre/sent é#1" // '#' is changed by AzureKeys
	sign := func(method string) string {
		t.Helper()
		u, err := b.Presign(ctx, method, key, time.Hour, backend.PresignOptions{})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(u, az.Endpoint+"/"), u)
		assert.Contains(t, u, "/pre%2F", "the path names the key")
		q, err := url.Parse(u)
		require.NoError(t, err)
		assert.NotEmpty(t, q.Query().Get("sig"), "a SAS: %s", u)
		assert.NotContains(t, u, az.Key)
		return u
	}

	put := sign(http.MethodPut)
	resp, body := drivertest.Send(t, http.MethodPut, put, blockBlob, "presigned body")
	require.Equal(t, http.StatusCreated, resp.StatusCode, "PUT stores: %s", body)
	info, err := b.Stat(ctx, key)
	require.NoError(t, err)
	assert.EqualValues(t, len("presigned body"), info.Size)

	get := sign(http.MethodGet)
	resp, body = drivertest.Send(t, http.MethodGet, get, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "presigned body", body, "GET returns the bytes")

	head := sign(http.MethodHead)
	resp, _ = drivertest.Send(t, http.MethodHead, head, nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, strconv.Itoa(len("presigned body")), resp.Header.Get("Content-Length"), "HEAD gives the size")

	// A read URL grants no write, nor delete; another key, or another
	// signature, is refused.
	resp, _ = drivertest.Send(t, http.MethodPut, get, blockBlob, "overwrite")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "PUT with a GET URL")
	resp, _ = drivertest.Send(t, http.MethodDelete, get, nil, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "DELETE with a GET URL")
	resp, _ = drivertest.Send(t, http.MethodGet, strings.Replace(get, "/pre%2F", "/prf%2F", 1), nil, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another key")
	u, err := url.Parse(get)
	require.NoError(t, err)
	q := u.Query()
	q.Set("se", time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339))
	u.RawQuery = q.Encode()
	resp, _ = drivertest.Send(t, http.MethodGet, u.String(), nil, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a longer expiry than signed")

	del := sign(http.MethodDelete)
	resp, _ = drivertest.Send(t, http.MethodDelete, del, nil, "")
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "DELETE removes")
	_, err = b.Stat(ctx, key)
	require.ErrorIs(t, err, backend.ErrNotFound)

	// An expired URL: SAS times have whole seconds, so a URL for one
	// second is refused within about two. Azurite's clock is this
	// machine's, so the wait is short whatever the load.
	_, err = b.Put(ctx, "pre/short", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	short, err := b.Presign(ctx, http.MethodGet, "pre/short", time.Second, backend.PresignOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		resp, _ := drivertest.Send(t, http.MethodGet, short, nil, "")
		return resp.StatusCode == http.StatusForbidden
	}, 30*time.Second, 250*time.Millisecond, "an expired URL is refused")
}

// TestPresignRefusalsAzurite: what an Azure SAS cannot do, and what no
// driver may, are refused before signing.
func TestPresignRefusalsAzurite(t *testing.T) {
	az := testserver.StartAzurite(t)
	b := openAzure(t, az)
	ctx := t.Context()
	_, err := b.Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{ContentType: "text/plain"})
	require.ErrorIs(t, err, backend.ErrNotSupported, "a SAS cannot bind the content type")
	_, err = b.Presign(ctx, http.MethodPost, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Presign(ctx, http.MethodGet, "k", 0, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Presign(ctx, http.MethodGet, "../k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	u, err := b.Presign(ctx, http.MethodGet, "k", 30*24*time.Hour, backend.PresignOptions{})
	require.NoError(t, err, "a shared-key SAS has no longest expiry")
	assert.Contains(t, u, "sig=")

	// A container client with a SAS token and no key cannot sign.
	tokenURL, err := b.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	parsed, err := url.Parse(tokenURL)
	require.NoError(t, err)
	noKey, err := gocloud.NewAzureDriver(context.Background(), gocloud.AzureConfig{
		Container:  containerName(t),
		ServiceURL: az.Endpoint,
		SASToken:   parsed.RawQuery,
	})
	require.NoError(t, err)
	t.Cleanup(func() { noKey.Close() })
	_, err = noKey.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)

	require.NoError(t, b.Close())
	_, err = b.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrClosed)
}

// TestPresignMemblob: memblob signs nothing, and gocloud signs no HEAD on
// any driver but Azure.
func TestPresignMemblob(t *testing.T) {
	b := newMem(t)
	_, err := b.Presign(t.Context(), http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	_, err = b.Presign(t.Context(), http.MethodHead, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
}
