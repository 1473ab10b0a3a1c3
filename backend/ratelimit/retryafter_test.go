package ratelimit_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/ratelimit"
)

// busyAnswer is what a driver returns for a 503 with Retry-After: d.
func busyAnswer(d time.Duration) error {
	e := backend.NewError("stat", "k", backend.ErrServerBusy, errors.New("503 SlowDown"))
	e.RetryAfter = d
	return e
}

// The RetryAfter field the drivers fill sets the pause, capped by
// RetryAfterMax; Stats counts such pauses apart.
func TestRetryAfterFieldSetsThePause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner, plan := faults.New(mem.New(),
			faults.Fail(faults.Stat, busyAnswer(3*time.Second)),
			faults.Fail(faults.Stat, busyAnswer(time.Hour)),
		)
		var obs observer
		b, lim := ratelimit.New(inner, ratelimit.Options{Observer: &obs, RetryAfterMax: 10 * time.Second})
		defer b.Close()
		start := time.Now()
		_, err := b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		d, ok := backend.RetryAfter(err)
		require.True(t, ok, "the error keeps its Retry-After for the layers above")
		assert.Equal(t, 3*time.Second, d)
		_, err = b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrServerBusy)
		assert.Equal(t, 3*time.Second, time.Since(start), "the second call waited for the Retry-After")
		_, err = b.Stat(t.Context(), "k")
		require.ErrorIs(t, err, backend.ErrNotFound)
		assert.Equal(t, 13*time.Second, time.Since(start), "an hour is capped at RetryAfterMax")
		assert.Equal(t, []time.Duration{3 * time.Second, 10 * time.Second}, obs.pauses)
		assert.Equal(t, []bool{true, true}, obs.header)
		st := lim.Stats()
		assert.Equal(t, int64(2), st.Pauses)
		assert.Equal(t, int64(2), st.RetryAfter)
		assert.Equal(t, 13*time.Second, st.PausedBy)
		plan.AssertAllFired(t)
	})
}

// Without RetryAfterMax, a minute is the cap.
func TestRetryAfterMaxDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner, _ := faults.New(mem.New(), faults.Fail(faults.Stat, busyAnswer(48*time.Hour)))
		b, lim := ratelimit.New(inner, ratelimit.Options{})
		defer b.Close()
		_, _ = b.Stat(t.Context(), "k")
		assert.Equal(t, ratelimit.DefaultRetryAfterMax, lim.Stats().PausedBy)
	})
}
