package failover

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

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

// presigner and lifecycler find the capability through Unwrap, as the
// client does.
func presigner(t *testing.T, b backend.Backend) backend.Presigner {
	t.Helper()
	p, ok := backend.As[backend.Presigner](b)
	require.True(t, ok, "backend.As finds a Presigner")
	return p
}

func lifecycler(t *testing.T, b backend.Backend) backend.Lifecycler {
	t.Helper()
	l, ok := backend.As[backend.Lifecycler](b)
	require.True(t, ok, "backend.As finds a Lifecycler")
	return l
}

func TestPresignAndLifecycleAreForwarded(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	fb := newBackend(t, c.config())
	b, l := presigner(t, fb), lifecycler(t, fb)
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
	require.NoError(t, l.SetExpiry(context.Background(), "logs/", 7))
	rules, err := l.Expiry(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 7}, rules)
	require.ErrorIs(t, l.SetExpiry(context.Background(), "../", 1), backend.ErrInvalidKey)
}

// The Backend claims a capability only when its endpoint backends have
// it: learned from the first endpoint New opens, or from
// Config.Prototype without opening any. BatchRemover and HealthChecker
// it always has (with fallbacks); KeyChecker too. A type assertion on
// *Backend finds none of the others: they are reached with backend.As.
func TestCapabilitiesAreThoseOfTheEndpoints(t *testing.T) {
	check := func(t *testing.T, b backend.Backend, want bool) {
		t.Helper()
		_, isPresigner := b.(backend.Presigner)
		assert.False(t, isPresigner, "*Backend itself never claims Presigner")
		p, ok := backend.As[backend.Presigner](b)
		assert.Equal(t, want, ok, "Presigner")
		_, ok = backend.As[backend.Lifecycler](b)
		assert.Equal(t, want, ok, "Lifecycler")
		_, ok = backend.As[backend.Copier](b)
		assert.False(t, ok, "Copier: the fake endpoints have none")
		_, ok = backend.As[backend.Composer](b)
		assert.False(t, ok, "Composer: the fake endpoints have none")
		for _, found := range []bool{
			isA[backend.BatchRemover](b), isA[backend.HealthChecker](b), isA[backend.KeyChecker](b),
		} {
			assert.True(t, found, "BatchRemover, HealthChecker and KeyChecker are always there")
		}
		if want {
			u, err := p.Presign(context.Background(), http.MethodGet, "k", time.Minute, backend.PresignOptions{})
			require.NoError(t, err)
			assert.Equal(t, "http://a/k?get&expiry=1m0s", u)
		}
	}
	t.Run("endpoints without Presigner", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		c.plain = true
		b := newBackend(t, c.config())
		assert.Equal(t, 1, c.openCount("a"), "New opened the endpoint to learn its capabilities")
		check(t, b, false)
		require.NoError(t, b.RemoveMany(context.Background(), []string{"x"}), "the fallback: one Remove per key")
	})
	t.Run("endpoints with Presigner", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		check(t, newBackend(t, c.config()), true)
	})
	t.Run("Prototype without Presigner", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.Prototype = plain{}
		b := newBackend(t, cfg)
		assert.Zero(t, c.openCount("a"), "with a Prototype, New opens nothing")
		check(t, b, false)
	})
	t.Run("Prototype with Presigner", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.Prototype = (*fakeEndpoint)(nil)
		b := newBackend(t, cfg)
		assert.Zero(t, c.openCount("a"), "with a Prototype, New opens nothing")
		check(t, b, true)
	})
	t.Run("an endpoint that lacks what the Prototype has", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		c.plain = true
		cfg := c.config()
		cfg.Prototype = (*fakeEndpoint)(nil)
		b := newBackend(t, cfg)
		_, err := presigner(t, b).Presign(context.Background(), http.MethodGet, "k", time.Minute, backend.PresignOptions{})
		require.ErrorIs(t, err, backend.ErrNotSupported)
		assert.Contains(t, err.Error(), "has no presigned URLs")
		assert.Len(t, c.ep("a").callsOf(""), 0, "not retried")
	})
}

func isA[T any](b backend.Backend) bool {
	_, ok := backend.As[T](b)
	return ok
}

// New learns the capabilities from the first endpoint that opens: one
// that cannot be reached is marked down and the next one is opened. An
// Open error never fails New: a configuration error is returned by the
// first request, and when no endpoint opens at New the capabilities are
// learned from the first one that opens later (a wrapper made before
// keeps the answer it had: drivers set Prototype).
func TestNewLearnsCapabilitiesFromTheFirstEndpointThatOpens(t *testing.T) {
	unreachable := backend.NewError("open", "", backend.ErrUnavailable, scriptedErr(backend.ErrUnavailable))
	t.Run("unreachable first", func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		c.openFault["a"] = unreachable
		b := newBackend(t, c.config())
		st := b.Endpoints()
		assert.False(t, st[0].Up)
		assert.False(t, st[0].Opened)
		assert.True(t, st[1].Opened)
		presigner(t, b)
	})
	t.Run("configuration error", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		c.openFault["a"] = backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("bad endpoint"))
		b := newBackend(t, c.config())
		assert.True(t, b.Endpoints()[0].Up, "a configuration error is no outage")
		_, err := b.Stat(context.Background(), "k")
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "bad endpoint")
	})
	t.Run("nowhere, then later", func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		c.openFault["a"], c.openFault["b"] = unreachable, unreachable
		b := newBackend(t, c.config())
		assert.False(t, isA[backend.Presigner](b), "not known yet")
		assert.True(t, isA[backend.BatchRemover](b))
		c.mu.Lock()
		delete(c.openFault, "b")
		c.mu.Unlock()
		_, err := b.Stat(context.Background(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
		presigner(t, b)
	})
}
