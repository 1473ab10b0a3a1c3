package failover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestNewValidatesTheConfig(t *testing.T) {
	c := newFakeCluster(t, "a")
	for name, mutate := range map[string]func(*Config){
		"no Resolve":         func(cfg *Config) { cfg.Resolve = nil },
		"no Open":            func(cfg *Config) { cfg.Open = nil },
		"negative attempts":  func(cfg *Config) { cfg.MaxAttempts = -1 },
		"negative timeout":   func(cfg *Config) { cfg.AttemptTimeout = -time.Second },
		"MaxDelay too short": func(cfg *Config) { cfg.BaseDelay, cfg.MaxDelay = time.Second, time.Millisecond },
		"ReprobeMax too short": func(cfg *Config) {
			cfg.ReprobeMin, cfg.ReprobeMax = time.Minute, time.Second
		},
		"no endpoints": func(cfg *Config) {
			cfg.Resolve = func(context.Context) ([]string, error) { return []string{" ", ""}, nil }
		},
	} {
		cfg := c.config()
		mutate(&cfg)
		_, err := New(context.Background(), cfg)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, name)
	}
	cfg := c.config()
	cfg.Resolve = func(context.Context) ([]string, error) { return nil, errors.New("dns down") }
	_, err := New(context.Background(), cfg)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Contains(t, err.Error(), "dns down")

	cfg = Config{Resolve: c.config().Resolve, Open: c.config().Open}
	b := newBackend(t, cfg)
	assert.Equal(t, DefaultMaxAttempts, b.cfg.MaxAttempts)
	assert.Equal(t, DefaultAttemptTimeout, b.cfg.AttemptTimeout)
	assert.Equal(t, DefaultStallTimeout, b.cfg.StallTimeout)
	assert.Equal(t, DefaultReprobeMax, b.cfg.ReprobeMax)
}

func TestCloseStopsEverything(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b, err := New(context.Background(), c.config())
	require.NoError(t, err)
	_, err = b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
	_, err = b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
	assert.True(t, c.ep("a").closed.Load())
	assert.True(t, c.ep("b").closed.Load())

	ctx := context.Background()
	_, err = b.Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, err = b.Put(ctx, "k", strings.NewReader(""), backend.PutOptions{})
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, _, err = b.Get(ctx, "k", backend.WholeObject)
	assert.ErrorIs(t, err, backend.ErrClosed)
	_, err = b.List(ctx, backend.ListOptions{})
	assert.ErrorIs(t, err, backend.ErrClosed)
	assert.ErrorIs(t, b.Remove(ctx, "k"), backend.ErrClosed)
	assert.ErrorIs(t, b.RemoveMany(ctx, []string{"k"}), backend.ErrClosed)
	_, err = b.Health(ctx)
	assert.ErrorIs(t, err, backend.ErrClosed)
}

func TestInvalidArgumentsFailBeforeAnyIO(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := newBackend(t, c.config())
	ctx := context.Background()
	_, err := b.Put(ctx, "a/../b", strings.NewReader("x"), backend.PutOptions{Size: 1})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = b.Put(ctx, "k", nil, backend.PutOptions{Size: 1})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = b.Stat(ctx, "")
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = b.List(ctx, backend.ListOptions{Prefix: "../"})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.ErrorIs(t, b.Remove(ctx, "a/"), backend.ErrInvalidKey)
	assert.Empty(t, c.ep("a").callsOf(""), "nothing reached an endpoint")
}

func TestNoSecretsInStringEventsOrErrors(t *testing.T) {
	const secret = "s3cr3tPa55"
	c := newFakeCluster(t, "user:"+secret+"@a:9000", "http://u:"+secret+"@b:9000")
	rec := &recorder{}
	b := rec.watch(newBackend(t, c.config()))
	for _, n := range []string{"user:" + secret + "@a:9000", "http://u:" + secret + "@b:9000"} {
		c.ep(n).script(fault{kind: backend.ErrUnavailable, times: -1})
	}
	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrUnavailable)

	assert.NotContains(t, b.String(), secret)
	assert.Equal(t, "failover(xxxxx@a:9000,http://u:xxxxx@b:9000)", b.String())
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, fmt.Sprint(b.Endpoints()), secret)
	retries, failovers, states := rec.snapshot()
	require.NotEmpty(t, retries)
	require.NotEmpty(t, failovers)
	require.NotEmpty(t, states)
	assert.NotContains(t, fmt.Sprint(retries, failovers, states), secret)
}

// Every hook in the call's context hears every event of the call, in the
// order the hooks were added; a call without hooks reports nothing, and
// the events of one call never reach the hooks of another.
func TestEveryHookOfTheCallHearsItsEvents(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	b := newBackend(t, c.config())
	c.ep("a").script(fault{kind: backend.ErrUnavailable, times: -1})
	r1, r2, other := &recorder{}, &recorder{}, &recorder{}
	var order []string
	ctx := backend.WithAttemptHook(context.Background(), func(backend.AttemptEvent) { order = append(order, "first") })
	ctx = r1.ctx(r2.ctx(ctx))
	ctx = backend.WithAttemptHook(ctx, func(backend.AttemptEvent) { order = append(order, "last") })
	for range 4 { // round robin: one of the first two goes to a
		_, err := b.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
	}
	for range 4 { // a is down: nothing to report
		_, err := b.Stat(other.ctx(context.Background()), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
	}
	re1, f1, s1 := r1.snapshot()
	re2, f2, s2 := r2.snapshot()
	re3, f3, s3 := other.snapshot()
	assert.Equal(t, []string{"stat k a 1"}, re1)
	assert.Equal(t, []string{"stat a->b"}, f1)
	assert.Equal(t, []string{"a down"}, s1)
	assert.Equal(t, re1, re2)
	assert.Equal(t, f1, f2)
	assert.Equal(t, s1, s2)
	assert.Empty(t, re3)
	assert.Empty(t, f3)
	assert.Empty(t, s3)
	assert.Equal(t, []string{"first", "last", "first", "last", "first", "last"}, order, "retry, failover, down: to every hook in order")
}

// Retry and failover events reach the hooks of the context of the
// operation being retried: for metadata operations, puts, the answer of
// a get, and a download resumed after its body broke (the context given
// to Get).
func TestEventsReachTheHooksOfTheirOperation(t *testing.T) {
	rec := &recorder{}
	tagged := func(tag string) context.Context { return backend.WithAttemptHook(t.Context(), rec.hook(tag)) }
	// busyOnce makes the next op on both endpoints fail with
	// ErrServerBusy, so that op is retried and fails over.
	busyOnce := func(c *fakeCluster, op string) {
		for _, n := range []string{"a", "b"} {
			c.ep(n).script(fault{op: op, kind: backend.ErrServerBusy})
		}
	}
	// check asserts that op was retried and that each of its events
	// reached the hook tagged tag.
	check := func(t *testing.T, op, tag string) {
		t.Helper()
		tags := rec.contextTags()
		require.Contains(t, tags, "retry "+op+" "+tag)
		for _, got := range tags {
			if f := strings.Fields(got); f[1] == op {
				assert.Equal(t, tag, f[2], got)
			}
		}
	}

	t.Run("stat, put and get", func(t *testing.T) {
		c := newFakeCluster(t, "a", "b")
		b := newBackend(t, c.config())
		busyOnce(c, "stat")
		_, err := b.Stat(tagged("stat-1"), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
		check(t, "stat", "stat-1")
		assert.Contains(t, rec.contextTags(), "failover stat stat-1")

		busyOnce(c, "put")
		_, err = b.Put(tagged("put-1"), "k", strings.NewReader("data"), backend.PutOptions{Size: 4})
		require.NoError(t, err)
		check(t, "put", "put-1")

		busyOnce(c, "get")
		rc, _, err := b.Get(tagged("get-1"), "k", backend.WholeObject)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		check(t, "get", "get-1")
	})

	t.Run("download resumed", func(t *testing.T) {
		rec.mu.Lock()
		rec.tags = nil
		rec.mu.Unlock()
		c := newFakeCluster(t, "a")
		b := newBackend(t, c.config())
		data := randomBytes(21, 10000)
		putDirect(t, c, "k", data)
		c.ep("a").script(fault{op: "get", body: true, at: 1000, kind: backend.ErrUnavailable})
		rc, _, err := b.Get(tagged("get-2"), "k", backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assertSameBytes(t, data, got)
		assert.Equal(t, []string{"retry get get-2"}, rec.contextTags(), "the break is reported with Get's context")
	})
}

// TestChaos runs many concurrent operations while endpoints fail in every
// scripted way, under the race detector: every operation either succeeds
// or fails with a clear error, and every acknowledged put reads back
// byte-identical.
func TestChaos(t *testing.T) {
	c := newFakeCluster(t, "a", "b", "c")
	cfg := c.config()
	cfg.MaxAttempts = 8
	cfg.AttemptTimeout, cfg.StallTimeout = 100*time.Millisecond, 100*time.Millisecond
	cfg.ReprobeMin, cfg.ReprobeMax = 5*time.Millisecond, 20*time.Millisecond
	b := newBackend(t, cfg)

	stop := make(chan struct{})
	var faulter sync.WaitGroup
	faulter.Go(func() {
		r := rand.New(rand.NewPCG(1, 2))
		kinds := []fault{
			{kind: backend.ErrUnavailable},
			{kind: backend.ErrServerBusy},
			{op: "put", kind: backend.ErrUnavailable, readN: 100},
			{op: "put", kind: backend.ErrServerBusy, readN: -1},
			{op: "put", kind: backend.ErrUnavailable, apply: true},
			{op: "get", body: true, at: 500, kind: backend.ErrUnavailable},
			{op: "get", body: true, at: 100, hang: true},
			{op: "stat", hang: true},
		}
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			f := kinds[r.IntN(len(kinds))]
			c.ep([]string{"a", "b", "c"}[r.IntN(3)]).script(f)
		}
	})

	var mu sync.Mutex
	acked := map[string][]byte{}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 20 {
				key := fmt.Sprintf("w%d/%d", w, i)
				data := randomBytes(uint64(w*1000+i), 1000+w*100+i)
				ifNot := i%2 == 0
				_, err := b.Put(context.Background(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: ifNot})
				if err != nil {
					assert.True(t, errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy), "put %s: %v", key, err)
					continue
				}
				mu.Lock()
				acked[key] = data
				mu.Unlock()
				rc, _, err := b.Get(context.Background(), key, backend.WholeObject)
				if err != nil {
					assert.True(t, errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrServerBusy), "get %s: %v", key, err)
					continue
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					assert.ErrorIs(t, err, backend.ErrUnavailable, "reading %s", key)
					assert.Less(t, len(got), len(data))
					continue
				}
				assertSameBytes(t, data, got)
			}
		})
	}
	wg.Wait()
	close(stop)
	faulter.Wait()
	require.NotEmpty(t, acked)
	for key, data := range acked {
		assertSameBytes(t, data, getAll(t, c.direct(), key))
	}
	t.Logf("%d of %d puts acknowledged", len(acked), 16*20)
}
