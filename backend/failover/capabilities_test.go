package failover

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestRemoveManyIsForwardedAndRetried(t *testing.T) {
	for _, plainEndpoints := range []bool{false, true} {
		t.Run(map[bool]string{false: "BatchRemover", true: "fallback"}[plainEndpoints], func(t *testing.T) {
			c := newFakeCluster(t, "a")
			c.plain = plainEndpoints
			b := newBackend(t, c.config())
			for _, k := range []string{"x/1", "x/2", "x/3"} {
				putDirect(t, c, k, []byte(k))
			}
			op := "removemany"
			if plainEndpoints {
				op = "remove"
			}
			c.ep("a").script(fault{op: op, kind: backend.ErrServerBusy})
			require.NoError(t, b.RemoveMany(context.Background(), []string{"x/1", "x/3", "missing"}))
			page, err := c.direct().List(context.Background(), backend.ListOptions{Prefix: "x/"})
			require.NoError(t, err)
			require.Len(t, page.Objects, 1)
			assert.Equal(t, "x/2", page.Objects[0].Key)
			assert.GreaterOrEqual(t, len(c.ep("a").callsOf(op)), 2, "retried after the busy answer")
		})
	}
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	require.ErrorIs(t, b.RemoveMany(context.Background(), []string{"ok", "a//b"}), backend.ErrInvalidKey)
	require.NoError(t, b.RemoveMany(context.Background(), nil))
}

func TestPresignAndLifecycleAreForwarded(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	c.ep("a").script(fault{op: "presign", kind: backend.ErrUnavailable})
	c.ep("b").script(fault{op: "presign", kind: backend.ErrUnavailable})
	u, err := b.Presign(context.Background(), http.MethodGet, "k", 60e9, backend.PresignOptions{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, "http://a/k?get") || strings.HasPrefix(u, "http://b/k?get"), u)
	u, err = b.Presign(context.Background(), http.MethodPut, "k", 60e9, backend.PresignOptions{})
	require.NoError(t, err)
	assert.Contains(t, u, "/k?put")
	_, err = b.Presign(context.Background(), http.MethodGet, "/bad", 60e9, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	// In a real cluster the endpoints share the rules; the fakes do not,
	// but both calls go to the one endpoint that is up.
	c.ep("a").script(fault{op: "lifecycle", kind: backend.ErrServerBusy})
	c.ep("b").script(fault{op: "lifecycle", kind: backend.ErrServerBusy})
	require.NoError(t, b.SetExpiry(context.Background(), "logs/", 7))
	rules, err := b.Expiry(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 7}, rules)
	require.ErrorIs(t, b.SetExpiry(context.Background(), "../", 1), backend.ErrInvalidKey)
}

func TestMissingCapabilitiesAreNotSupported(t *testing.T) {
	c := newFakeCluster(t, "a")
	c.plain = true
	b := newBackend(t, c.config())
	_, err := b.Presign(context.Background(), http.MethodGet, "k", 60e9, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	_, err = b.Presign(context.Background(), http.MethodPut, "k", 60e9, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	require.ErrorIs(t, b.SetExpiry(context.Background(), "x/", 1), backend.ErrNotSupported)
	_, err = b.Expiry(context.Background())
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Len(t, c.ep("a").callsOf(""), 0, "nothing was retried")
}

func TestHealthAggregatesEveryEndpoint(t *testing.T) {
	c := newFakeCluster(t, "a", "b", "c")
	rec := &recorder{}
	cfg := c.config()
	cfg.Observer = rec
	b := newBackend(t, cfg)
	c.ep("b").script(fault{op: "health", kind: backend.ErrUnavailable})
	c.openFault["c"] = backend.NewError("open", "", backend.ErrUnavailable, scriptedErr(backend.ErrUnavailable))

	hs, err := b.Health(context.Background())
	require.NoError(t, err)
	require.Len(t, hs, 3)
	byName := map[string]backend.EndpointHealth{}
	for _, h := range hs {
		byName[h.Endpoint] = h
	}
	assert.True(t, byName["a"].Live && byName["a"].Ready)
	assert.False(t, byName["b"].Live)
	assert.ErrorIs(t, byName["b"].Err, backend.ErrUnavailable)
	assert.False(t, byName["c"].Live)
	assert.ErrorIs(t, byName["c"].Err, backend.ErrUnavailable)
	st := b.Endpoints()
	assert.True(t, st[0].Up)
	assert.False(t, st[1].Up, "a failed health check marks the endpoint down")
	assert.False(t, st[2].Up)

	// Without HealthChecker: a List of one key.
	c2 := newFakeCluster(t, "x", "y")
	c2.plain = true
	b2 := newBackend(t, c2.config())
	c2.ep("y").script(fault{op: "list", kind: backend.ErrPermission})
	hs, err = b2.Health(context.Background())
	require.NoError(t, err)
	require.Len(t, hs, 2)
	assert.True(t, hs[0].Live && hs[0].Ready)
	assert.True(t, hs[1].Live, "a refusal is an answer")
	assert.False(t, hs[1].Ready)
	assert.ErrorIs(t, hs[1].Err, backend.ErrPermission)
}
