package ratelimit_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/ratelimit"
	"github.com/objstore-dev/objstore/conformance"
)

// The tests run on synctest's clock: waits take no real time, and their
// durations are exact.

func TestRequestsPerSecondAndSetLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, lim := ratelimit.New(mem.New(), ratelimit.Options{Limits: ratelimit.Limits{Requests: 2}})
		defer b.Close()
		start := time.Now()
		for range 5 {
			_, err := b.Stat(t.Context(), "k")
			require.ErrorIs(t, err, backend.ErrNotFound)
		}
		assert.Equal(t, 2*time.Second, time.Since(start), "one at once, then one per half second")
		assert.Equal(t, int64(4), lim.Stats().Waits)

		lim.SetLimits(ratelimit.Limits{Requests: 0.5})
		start = time.Now()
		_, _ = b.Stat(t.Context(), "k")
		_, _ = b.Stat(t.Context(), "k")
		assert.Equal(t, 4*time.Second, time.Since(start), "the bucket is empty: two tokens at the new rate")

		lim.SetLimits(ratelimit.Limits{})
		start = time.Now()
		for range 100 {
			_, _ = b.Stat(t.Context(), "k")
		}
		assert.Equal(t, time.Duration(0), time.Since(start), "no limit")
		assert.Equal(t, ratelimit.Limits{}, lim.Limits())
	})
}

func TestWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := ratelimit.New(mem.New(), ratelimit.Options{Limits: ratelimit.Limits{Requests: 0.01}})
		defer b.Close()
		_, _ = b.Stat(t.Context(), "k")
		ctx, cancel := context.WithCancel(t.Context())
		go func() { time.Sleep(time.Second); cancel() }()
		err := b.Remove(ctx, "k")
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestBytesPerSecondEachWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rate = 100 << 10
		b, lim := ratelimit.New(mem.New(), ratelimit.Options{Limits: ratelimit.Limits{WriteBytes: rate, ReadBytes: 2 * rate}})
		defer b.Close()
		data := bytes.Repeat([]byte("x"), 3*rate)
		start := time.Now()
		_, err := b.Put(t.Context(), "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		// The bucket starts empty: SetLimits set it from no limit.
		assert.InDelta(t, 3.0, time.Since(start).Seconds(), 0.01)

		start = time.Now()
		rc, _, err := b.Get(t.Context(), "k", backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, data, got)
		assert.InDelta(t, 1.4, time.Since(start).Seconds(), 0.01, "reads at twice the rate")
		assert.Positive(t, lim.Stats().Waited)
	})
}

type observer struct {
	mu     sync.Mutex
	pauses []time.Duration
	header []bool
}

func (o *observer) Waited(string, time.Duration) {}
func (o *observer) Paused(_ string, d time.Duration, h bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pauses = append(o.pauses, d)
	o.header = append(o.header, h)
}

// Busy answers pause every request, doubling without a Retry-After; a
// success resets the doubling.
func TestBusyAnswersBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner, plan := faults.New(mem.New(), faults.Fail(faults.Stat, backend.ErrServerBusy).Repeat(3))
		var obs observer
		b, lim := ratelimit.New(inner, ratelimit.Options{Observer: &obs})
		defer b.Close()
		start := time.Now()
		for range 3 {
			_, err := b.Stat(t.Context(), "k")
			require.ErrorIs(t, err, backend.ErrServerBusy, "returned: retrying is failover's job")
		}
		assert.Equal(t, 300*time.Millisecond, time.Since(start), "waited 100 ms, then 200 ms")
		_, err := b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
		assert.Equal(t, 700*time.Millisecond, time.Since(start), "then 400 ms")
		_, err = b.Remove(t.Context(), "k"), nil
		require.NoError(t, err)
		assert.Equal(t, 700*time.Millisecond, time.Since(start), "no pause after a success")
		assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}, obs.pauses)
		assert.Equal(t, int64(3), lim.Stats().Pauses)
		plan.AssertAllFired(t)
	})
}

// busyFor is a busy answer that carries a Retry-After.
type busyFor time.Duration

func (b busyFor) Error() string             { return "SlowDown" }
func (b busyFor) Unwrap() error             { return backend.ErrServerBusy }
func (b busyFor) RetryAfter() time.Duration { return time.Duration(b) }

var _ ratelimit.RetryAfter = busyFor(0)

func TestRetryAfterIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner, _ := faults.New(mem.New(), faults.Fail(faults.List, busyFor(7*time.Second)))
		var obs observer
		b, _ := ratelimit.New(inner, ratelimit.Options{Observer: &obs})
		defer b.Close()
		start := time.Now()
		_, err := b.List(t.Context(), backend.ListOptions{})
		require.ErrorIs(t, err, backend.ErrServerBusy)
		_, err = b.List(t.Context(), backend.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, 7*time.Second, time.Since(start))
		assert.Equal(t, []bool{true}, obs.header)
	})
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b, _ := ratelimit.New(mem.New(), ratelimit.Options{Limits: ratelimit.Limits{
			Requests: 1e6, ReadBytes: 1 << 40, WriteBytes: 1 << 40,
		}})
		t.Cleanup(func() { b.Close() })
		return b
	})
}

func TestWrapperCompleteness(t *testing.T) {
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		b, _ := ratelimit.New(inner, ratelimit.Options{})
		return b
	},
		// observe.Compose serves four capabilities; Compose and Copy are
		// found through Unwrap and are not limited.
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
