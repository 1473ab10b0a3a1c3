package clienttest

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

var capabilityCases = []testCase{
	{"capability/health", testHealth},
	{"capability/presign", testPresign},
	{"capability/lifecycle", testLifecycle},
}

// The capability checks accept either answer a backend may give: the
// capability's result, or ErrNotSupported when the backend lacks it. Which
// one is decided by backend.As, as the client decides.

func testHealth(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	hs, err := c.Health(ctx)
	if _, ok := backend.As[backend.HealthChecker](b); !ok {
		require.ErrorIs(t, err, objstore.ErrNotSupported)
		return
	}
	require.NoError(t, err)
	require.NotEmpty(t, hs)
	for _, h := range hs {
		assert.NotEmpty(t, h.Endpoint)
		assert.True(t, h.Live, "endpoint %s is live", h.Endpoint)
	}
}

func testPresign(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	putString(t, ctx, c, "pre/obj", "x", nil)
	_, err := c.PresignGet(ctx, "pre/obj", 0)
	require.ErrorIs(t, err, objstore.ErrInvalidArgument, "expiry must be positive")
	_, err = c.Presign(ctx, "POST", "pre/obj", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument, "only GET, HEAD, PUT and DELETE")
	_, err = c.Presign(ctx, http.MethodGet, "pre/obj", time.Minute, backend.PresignOptions{ContentType: "text/plain"})
	require.ErrorIs(t, err, objstore.ErrInvalidArgument, "a content type binds only a PUT")
	get, err := c.PresignGet(ctx, "pre/obj", time.Minute)
	put, err2 := c.PresignPut(ctx, "pre/new", time.Minute)
	if _, ok := backend.As[backend.Presigner](b); !ok {
		require.ErrorIs(t, err, objstore.ErrNotSupported)
		require.ErrorIs(t, err2, objstore.ErrNotSupported)
		return
	}
	// A driver may have the capability and yet be unable to sign as it
	// was configured (anonymous, a token without a key): it says so.
	if errors.Is(err, objstore.ErrNotSupported) {
		require.ErrorIs(t, err2, objstore.ErrNotSupported)
		return
	}
	require.NoError(t, err)
	require.NoError(t, err2)
	// The key is in the URL's path, escaped as the store likes it (Azure
	// escapes its slashes).
	for key, raw := range map[string]string{"pre/obj": get, "pre/new": put} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Contains(t, u.Path, key)
	}
}

func testLifecycle(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	require.ErrorIs(t, c.SetServiceLifecycle(ctx, "logs/", 0), objstore.ErrInvalidArgument, "days must be positive")
	require.ErrorIs(t, c.SetServiceLifecycle(ctx, "../", 1), objstore.ErrInvalidKey)
	err := c.SetServiceLifecycle(ctx, "logs/", 7)
	l, ok := backend.As[backend.Lifecycler](b)
	if !ok {
		require.ErrorIs(t, err, objstore.ErrNotSupported)
		return
	}
	require.NoError(t, err)
	rules, err := l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, 7, rules["logs/"])
}
