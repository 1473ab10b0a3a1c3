package failover

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestRoundRobinSpreadsLoad(t *testing.T) {
	c := newFakeCluster(t, "a", "b", "c")
	b := newBackend(t, c.config())
	_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	for range 30 {
		_, err := b.Stat(context.Background(), "k")
		require.NoError(t, err)
	}
	for _, n := range []string{"a", "b", "c"} {
		assert.Len(t, c.ep(n).callsOf("stat"), 10, n)
	}
}

func TestUnavailableEndpointIsMarkedDownAndSkipped(t *testing.T) {
	c := newFakeCluster(t, "a", "b", "c")
	rec := &recorder{}
	b := rec.watch(newBackend(t, c.config()))
	c.ep("a").script(fault{kind: backend.ErrUnavailable, times: -1})
	_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	start := time.Now()
	for range 20 {
		_, err := b.Stat(context.Background(), "k")
		require.NoError(t, err)
	}
	assert.Less(t, time.Since(start), 500*time.Millisecond, "a failover to a live endpoint does not back off")
	assert.Len(t, c.ep("a").callsOf("stat"), 1, "a down endpoint gets no more requests")
	assert.Equal(t, 19, len(c.ep("b").callsOf("stat"))+len(c.ep("c").callsOf("stat"))-1)

	st := b.Endpoints()
	require.Len(t, st, 3)
	assert.Equal(t, "a", st[0].Endpoint)
	assert.False(t, st[0].Up)
	assert.Equal(t, 1, st[0].Failures)
	assert.ErrorIs(t, st[0].LastError, backend.ErrUnavailable)
	assert.False(t, st[0].DownSince.IsZero())
	assert.True(t, st[0].NextProbe.After(st[0].DownSince))
	assert.True(t, st[1].Up)
	assert.True(t, st[2].Up)

	retries, failovers, states := rec.snapshot()
	assert.Equal(t, []string{"stat k a 1"}, retries)
	require.Len(t, failovers, 1)
	assert.Contains(t, []string{"stat a->b", "stat a->c"}, failovers[0])
	assert.Equal(t, []string{"a down"}, states)
}

func TestAttemptTimeoutFailsOver(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	cfg.AttemptTimeout = 100 * time.Millisecond
	b := newBackend(t, cfg)
	c.ep("a").script(fault{op: "stat", hang: true, times: -1})
	_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	for range 4 {
		start := time.Now()
		_, err := b.Stat(context.Background(), "k")
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 100*time.Millisecond+300*time.Millisecond)
	}
	require.Len(t, c.ep("a").callsOf("stat"), 1)
	st := b.Endpoints()
	assert.False(t, st[0].Up)
	require.ErrorIs(t, st[0].LastError, backend.ErrUnavailable)
	assert.Contains(t, st[0].LastError.Error(), "did not answer within 100ms (AttemptTimeout)")
	assert.Equal(t, 1, strings.Count(st[0].LastError.Error(), "objstore:"), "nested errors are not repeated: %v", st[0].LastError)
	assert.Equal(t, 1, strings.Count(st[0].LastError.Error(), "(check that the server"), "%v", st[0].LastError)
}

func TestDownEndpointIsReprobed(t *testing.T) {
	for _, withHealth := range []bool{true, false} {
		name := "HealthChecker"
		if !withHealth {
			name = "ListProbe"
		}
		t.Run(name, func(t *testing.T) {
			c := newFakeCluster(t, "a", "b")
			c.plain = !withHealth
			rec := &recorder{}
			cfg := c.config()
			cfg.ReprobeMin, cfg.ReprobeMax = 20*time.Millisecond, 40*time.Millisecond
			b := rec.watch(newBackend(t, cfg))
			probeOp := "health"
			if !withHealth {
				probeOp = "list"
			}
			c.ep("a").script(
				fault{op: "stat", kind: backend.ErrUnavailable},
				fault{op: probeOp, kind: backend.ErrUnavailable, times: 2}, // two failed probes
			)
			_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
			for len(c.ep("a").callsOf("stat")) == 0 {
				_, err := b.Stat(context.Background(), "k")
				require.NoError(t, err)
			}
			require.False(t, b.Endpoints()[0].Up)
			require.Eventually(t, func() bool { return b.Endpoints()[0].Up }, 3*time.Second, 5*time.Millisecond)
			assert.Len(t, c.ep("a").callsOf(probeOp), 3, "two failed probes, then one that succeeded")
			_, _, states := rec.snapshot()
			assert.Equal(t, []string{"a down"}, states, "the prober has no call to report to")
			// Back in the rotation; the first call served by a reports
			// its return.
			before := len(c.ep("a").callsOf("stat"))
			for range 4 {
				_, err := b.Stat(context.Background(), "k")
				require.NoError(t, err)
			}
			assert.Equal(t, before+2, len(c.ep("a").callsOf("stat")))
			_, _, states = rec.snapshot()
			assert.Equal(t, []string{"a down", "a up"}, states)
		})
	}
}

func TestEveryEndpointDownStillTriesThem(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrUnavailable, times: 2})
	c.ep("b").script(fault{kind: backend.ErrUnavailable, times: 2})
	_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	// Attempts: a, b (both go down), then the least recently failed (a),
	// then b: the fifth attempt succeeds.
	_, err = b.Stat(context.Background(), "k")
	require.NoError(t, err)
	up := 0
	for _, s := range b.Endpoints() {
		if s.Up {
			up++
		}
	}
	assert.Equal(t, 1, up, "the endpoint that answered is up again")
}

func TestAllEndpointsDownFailsWithClearError(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrUnavailable, times: -1})
	c.ep("b").script(fault{kind: backend.ErrUnavailable, times: -1})
	start := time.Now()
	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Less(t, time.Since(start), time.Second)
	var re *RetryError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 5, re.Attempts)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Contains(t, err.Error(), "check that the server is running")
}

func TestResolverIsAskedAgainWhenEveryEndpointFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.ReprobeMin, cfg.ReprobeMax = 10*time.Millisecond, 10*time.Millisecond
		rec := &recorder{}
		b := rec.watch(newBackend(t, cfg))
		require.Equal(t, 1, c.resolveCount())
		c.ep("a").script(fault{kind: backend.ErrUnavailable, times: -1})
		_, err := c.direct().Put(context.Background(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.NoError(t, err)

		// a is the only endpoint and it is gone; the resolver now knows b.
		c.setAddrs("b")
		time.Sleep(20 * time.Millisecond) // past the resolver's rate limit
		_, err = b.Stat(context.Background(), "k")
		require.NoError(t, err)
		assert.Equal(t, 2, c.resolveCount())
		st := b.Endpoints()
		require.Len(t, st, 1)
		assert.Equal(t, "b", st[0].Endpoint)
		assert.True(t, c.ep("a").closed.Load(), "the dropped endpoint's backend is closed")
		assert.Equal(t, "failover(b)", b.String())
		assert.Equal(t, []string{"b"}, rec.resolved(), "the change is reported to the call that made it")
	})
}

func TestResolverErrorsKeepTheEndpoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := c.config()
		cfg.ReprobeMin, cfg.ReprobeMax = time.Millisecond, time.Millisecond
		resolveErr := errors.New("resolver down")
		var mu sync.Mutex
		calls := 0
		inner := cfg.Resolve
		cfg.Resolve = func(ctx context.Context) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			switch calls {
			case 1:
				return inner(ctx)
			case 2:
				return nil, resolveErr
			}
			return []string{}, nil
		}
		rec := &recorder{}
		b := rec.watch(newBackend(t, cfg))
		c.ep("a").script(fault{kind: backend.ErrUnavailable, times: 4})
		time.Sleep(5 * time.Millisecond)
		_, err := b.Stat(context.Background(), "nope")
		require.ErrorIs(t, err, backend.ErrNotFound, "a came back at the fifth attempt")
		mu.Lock()
		assert.GreaterOrEqual(t, calls, 2)
		mu.Unlock()
		require.Len(t, b.Endpoints(), 1)
		assert.Equal(t, "a", b.Endpoints()[0].Endpoint)
		resolved := rec.resolved()
		require.NotEmpty(t, resolved)
		assert.Equal(t, "error: failover: resolving the endpoints again: resolver down", resolved[0])
		for _, r := range resolved[1:] {
			assert.Equal(t, "error: failover: the resolver returned no endpoints", r)
		}
	})
}

func TestDroppedEndpointClosesAfterItsLastReader(t *testing.T) {
	c := newFakeCluster(t, "a")
	cfg := c.config()
	cfg.ReprobeMin, cfg.ReprobeMax = time.Millisecond, time.Millisecond
	b := newBackend(t, cfg)
	data := randomBytes(2, 10000)
	_, err := b.Put(context.Background(), "k", strings.NewReader(string(data)), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	rc, _, err := b.Get(context.Background(), "k", backend.WholeObject)
	require.NoError(t, err)

	b.setEndpoints([]string{"b"})
	assert.False(t, c.ep("a").closed.Load(), "a Get body still uses a")
	got := make([]byte, len(data))
	_, err = rc.Read(got[:10])
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.True(t, c.ep("a").closed.Load())
	assertSameBytes(t, data, getAll(t, b, "k"))
}

func TestOpenIsLazyAndOnce(t *testing.T) {
	c := newFakeCluster(t, "a", "b", "c")
	cfg := c.config()
	cfg.Prototype = (*fakeEndpoint)(nil)
	b := newBackend(t, cfg)
	for _, n := range []string{"a", "b", "c"} {
		assert.Zero(t, c.openCount(n), "with a Prototype, New opens nothing")
	}
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() {
			_, err := b.Stat(context.Background(), "k")
			assert.ErrorIs(t, err, backend.ErrNotFound)
		})
	}
	wg.Wait()
	for _, n := range []string{"a", "b", "c"} {
		assert.Equal(t, 1, c.openCount(n), n)
	}
}

func TestOpenFailures(t *testing.T) {
	// With a Prototype, New opens nothing: the first request does
	// (TestNewLearnsCapabilitiesFromTheFirstEndpointThatOpens: without,
	// where the errors are the same).
	lazy := func(c *fakeCluster) Config {
		cfg := c.config()
		cfg.Prototype = (*fakeEndpoint)(nil)
		return cfg
	}
	t.Run("unavailable: fail over", func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		c.openFault["a"] = backend.NewError("open", "", backend.ErrUnavailable, scriptedErr(backend.ErrUnavailable))
		b := newBackend(t, lazy(c))
		for range 4 {
			_, err := b.Stat(context.Background(), "k")
			require.ErrorIs(t, err, backend.ErrNotFound)
		}
		assert.False(t, b.Endpoints()[0].Up)
		assert.False(t, b.Endpoints()[0].Opened)
		assert.True(t, b.Endpoints()[1].Opened)
	})
	t.Run("configuration error: returned", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		c.openFault["a"] = backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("bad endpoint"))
		b := newBackend(t, lazy(c))
		_, err := b.Stat(context.Background(), "k")
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "bad endpoint")
	})
	t.Run("nil backend", func(t *testing.T) {
		c := newFakeCluster(t, "a")
		cfg := lazy(c)
		cfg.Open = func(context.Context, string) (backend.Backend, error) { return nil, nil }
		b := newBackend(t, cfg)
		_, err := b.Stat(context.Background(), "k")
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
		cfg.Prototype = nil
		b = newBackend(t, cfg) // opens the endpoint: no error yet
		_, err = b.Stat(context.Background(), "k")
		require.ErrorIs(t, err, backend.ErrInvalidArgument)
	})
}
