package failover_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
)

// slowDown is a driver's error for a 503 SlowDown with Retry-After: d.
func slowDown(op, key string, d time.Duration) error {
	e := backend.NewError(op, key, backend.ErrServerBusy, errors.New("503 SlowDown"))
	e.RetryAfter = d
	return e
}

// overFaults is a failover Backend with one endpoint whose backend is
// plan.Wrap(mem), with millisecond backoffs.
func overFaults(t *testing.T, plan *faults.Plan, maxElapsed time.Duration) backend.Backend {
	t.Helper()
	store := mem.New()
	b, err := failover.New(t.Context(), failover.Config{
		Resolve:   func(context.Context) ([]string, error) { return []string{"only:1"}, nil },
		Open:      func(context.Context, string) (backend.Backend, error) { return plan.Wrap(store), nil },
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxElapsed: maxElapsed,
		ReprobeMin: time.Hour, ReprobeMax: time.Hour,
	})
	require.NoError(t, err)
	return b
}

// A busy answer with a Retry-After is retried after at least that long,
// though the backoff alone would have waited milliseconds.
func TestRetryAfterIsWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		plan := faults.NewPlan(
			faults.Fail(faults.Put, slowDown("put", "k", 3*time.Second)),
			faults.Fail(faults.Stat, slowDown("stat", "k", 1500*time.Millisecond)).Repeat(2),
		)
		b := overFaults(t, plan, time.Minute)
		defer b.Close()
		start := time.Now()
		_, err := b.Put(t.Context(), "k", bytes.NewReader([]byte("data")), backend.PutOptions{Size: 4})
		require.NoError(t, err)
		assert.Equal(t, 3*time.Second, time.Since(start))

		start = time.Now()
		_, err = b.Stat(t.Context(), "k")
		require.NoError(t, err)
		assert.Equal(t, 3*time.Second, time.Since(start), "twice 1.5 s")
		plan.AssertAllFired(t)
	})
}

// A Retry-After past MaxElapsed, or past the caller's deadline, ends the
// operation at once with the busy error, which keeps the Retry-After.
func TestRetryAfterBeyondTheBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		plan := faults.NewPlan()
		b := overFaults(t, plan, 10*time.Second)
		defer b.Close()

		plan.Add(faults.Fail(faults.Stat, slowDown("stat", "k", time.Minute)))
		start := time.Now()
		_, err := b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		assert.Equal(t, time.Duration(0), time.Since(start), "no sleep that cannot end in a retry")
		assert.Contains(t, err.Error(), "asked to retry after 1m0s (Retry-After), past MaxElapsed 10s")
		var re *failover.RetryError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 1, re.Attempts)
		d, ok := backend.RetryAfter(err)
		require.True(t, ok, "the caller learns how long to wait")
		assert.Equal(t, time.Minute, d)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "stat", be.Op)
		assert.Equal(t, "k", be.Key)
		assert.Equal(t, time.Minute, be.RetryAfter)

		plan.Add(faults.Fail(faults.Stat, slowDown("stat", "k", 5*time.Second)))
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start = time.Now()
		_, err = b.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		assert.Equal(t, time.Duration(0), time.Since(start))
		assert.Contains(t, err.Error(), "past the caller's deadline")

		// Within the deadline, the retry waits and succeeds.
		plan.Add(faults.Fail(faults.Stat, slowDown("stat", "k", time.Second)))
		ctx2, cancel2 := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel2()
		start = time.Now()
		_, err = b.Stat(ctx2, "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
		assert.Equal(t, time.Second, time.Since(start))
		plan.AssertAllFired(t)
	})
}

// Only busy answers are waited for: a Retry-After on another kind of
// error (a 403 from a proxy that sets it anyway) changes nothing.
func TestRetryAfterOnlyForBusyAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		denied := backend.NewError("stat", "k", backend.ErrPermission, errors.New("403"))
		denied.RetryAfter = time.Hour
		plan := faults.NewPlan(faults.Fail(faults.Stat, denied))
		b := overFaults(t, plan, time.Minute)
		defer b.Close()
		start := time.Now()
		_, err := b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrPermission)
		assert.Equal(t, time.Duration(0), time.Since(start))
		plan.AssertAllFired(t)
	})
}

// A Retry-After binds the endpoint that asked: with another endpoint to
// try, the retry goes there after the backoff only (a MinIO node that lost
// quorum answers Retry-After 60 while its peers may serve).
func TestRetryAfterOnAnotherEndpoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := mem.New()
		plan := faults.NewPlan(faults.Fail(faults.Stat, slowDown("stat", "k", time.Minute)))
		b, err := failover.New(t.Context(), failover.Config{
			Resolve:   func(context.Context) ([]string, error) { return []string{"a:1", "b:1"}, nil },
			Open:      func(context.Context, string) (backend.Backend, error) { return plan.Wrap(store), nil },
			BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxElapsed: 10 * time.Second,
			ReprobeMin: time.Hour, ReprobeMax: time.Hour,
		})
		require.NoError(t, err)
		defer b.Close()
		start := time.Now()
		_, err = b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound, "the other endpoint answered")
		assert.Less(t, time.Since(start), time.Second, "no wait for the first endpoint's Retry-After")
		plan.AssertAllFired(t)
	})
}
