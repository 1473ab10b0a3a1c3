package metrics_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/backend/ratelimit"
)

func TestRateLimitCollector(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := backend.NewError("stat", "k", backend.ErrServerBusy, errors.New("503 SlowDown"))
		busy.RetryAfter = 2 * time.Second
		inner, plan := faults.New(mem.New(),
			faults.Fail(faults.Stat, busy),
			faults.Fail(faults.Stat, backend.ErrServerBusy),
		)
		b, lim := ratelimit.New(inner, ratelimit.Options{Limits: ratelimit.Limits{Requests: 1, ReadBytes: 1 << 20}})
		defer b.Close()
		c := metrics.RateLimitCollector(lim, metrics.WithName("captures"))
		reg := prometheus.NewPedanticRegistry()
		require.NoError(t, reg.Register(c))

		// Three Stats at 1/s: the second waits for its token and for the
		// 2 s pause of the first busy answer, the third for the 200 ms
		// pause after the second (exponential, the second busy in a row)
		// and its token.
		for range 3 {
			_, _ = b.Stat(t.Context(), "k")
		}
		plan.AssertAllFired(t)
		st := lim.Stats()
		require.Equal(t, int64(2), st.Waits)
		want := `
# HELP objstore_ratelimit_backoff_seconds_total Sum of the pauses after busy answers.
# TYPE objstore_ratelimit_backoff_seconds_total counter
objstore_ratelimit_backoff_seconds_total{backend="captures"} 2.2
# HELP objstore_ratelimit_backoffs_total Busy answers (429, 503, SlowDown) that paused every request, by where the pause came from.
# TYPE objstore_ratelimit_backoffs_total counter
objstore_ratelimit_backoffs_total{backend="captures",source="exponential"} 1
objstore_ratelimit_backoffs_total{backend="captures",source="retry_after"} 1
# HELP objstore_ratelimit_limit Current rate limit per second (requests, read_bytes, write_bytes); 0 is no limit.
# TYPE objstore_ratelimit_limit gauge
objstore_ratelimit_limit{backend="captures",limit="read_bytes"} 1.048576e+06
objstore_ratelimit_limit{backend="captures",limit="requests"} 1
objstore_ratelimit_limit{backend="captures",limit="write_bytes"} 0
# HELP objstore_ratelimit_wait_seconds_total Total time calls and body reads waited for rate-limit tokens and pauses.
# TYPE objstore_ratelimit_wait_seconds_total counter
objstore_ratelimit_wait_seconds_total{backend="captures"} 3
# HELP objstore_ratelimit_waits_total Calls and body reads that waited for a rate-limit token or for a pause after a busy answer.
# TYPE objstore_ratelimit_waits_total counter
objstore_ratelimit_waits_total{backend="captures"} 2
`
		require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want)))
		assert.Equal(t, 3*time.Second, st.Waited, "2 s, then 1 s: the token came due 800 ms after the 200 ms pause")
		problems, err := testutil.CollectAndLint(c)
		require.NoError(t, err)
		assert.Empty(t, problems)

		// The limits are read at each scrape.
		lim.SetLimits(ratelimit.Limits{WriteBytes: 5e6})
		assert.Equal(t, 5e6, value(t, reg, "objstore_ratelimit_limit", map[string]string{"backend": "captures", "limit": "write_bytes"}))
		assert.Equal(t, 0.0, value(t, reg, "objstore_ratelimit_limit", map[string]string{"backend": "captures", "limit": "requests"}))

		// Several limiters share a registry by name; one name twice is an error.
		_, other := ratelimit.New(mem.New(), ratelimit.Options{})
		require.NoError(t, reg.Register(metrics.RateLimitCollector(other, metrics.WithName("backups"))))
		var are prometheus.AlreadyRegisteredError
		require.ErrorAs(t, reg.Register(metrics.RateLimitCollector(other, metrics.WithName("backups"))), &are)
		require.NoError(t, prometheus.NewRegistry().Register(metrics.RateLimitCollector(other)), "default name")
	})
}

// The limiter of a client opened with rate-limit URL parameters is found
// and exported the same way.
func TestRateLimitCollectorOfAURL(t *testing.T) {
	c, err := objstore.Open(t.Context(), "mem://?requests_per_sec=250&read_bytes_per_sec=10MiB")
	require.NoError(t, err)
	defer c.Close()
	lim, ok := ratelimit.LimiterOf(c.Backend())
	require.True(t, ok)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metrics.RateLimitCollector(lim))
	assert.Equal(t, 250.0, value(t, reg, "objstore_ratelimit_limit", map[string]string{"backend": "ratelimit", "limit": "requests"}))
	assert.Equal(t, float64(10<<20), value(t, reg, "objstore_ratelimit_limit", map[string]string{"backend": "ratelimit", "limit": "read_bytes"}))
}
