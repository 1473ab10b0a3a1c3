// Package ratelimit is a Backend wrapper that limits requests per second
// and bytes per second in each direction with token buckets
// (golang.org/x/time/rate), changeable at run time, and that pauses every
// request after the store answers busy (ErrServerBusy: 429, 503,
// SlowDown), for the Retry-After the error carries or else for an
// exponential backoff.
//
//	b, lim := ratelimit.New(inner, ratelimit.Options{Limits: ratelimit.Limits{
//		Requests: 100, WriteBytes: 50 << 20, ReadBytes: 200 << 20,
//	}})
//	lim.SetLimits(ratelimit.Limits{Requests: 10}) // at any time
//
// # What is limited
//
//   - Requests: every Put, Get, Stat, List, Remove, and RemoveMany,
//     Health, SetExpiry and Expiry of the inner backend's capabilities,
//     take one token before they start. Presign signs locally and takes
//     none. Close takes none.
//   - WriteBytes: the bytes the inner Put reads from the caller's reader.
//   - ReadBytes: the bytes Get readers deliver.
//
// A zero limit is no limit. Waits end with the call's context (for a Get
// body, the context given to Get).
//
// # Busy stores
//
// When a call fails with an error wrapping backend.ErrServerBusy, every
// later request of the Limiter waits until a pause has passed: the delay
// the store asked for in its Retry-After header, if the error carries one
// (backend.RetryAfter: the drivers fill the RetryAfter field of
// *backend.Error; an error of the chain with a RetryAfter() method counts
// too), capped by RetryAfterMax (a minute); else BackoffBase doubled for
// each busy answer in a row, up to BackoffMax; a successful call resets
// the doubling. The busy error itself is returned: retrying is the retry
// layer's job (failover, which also waits at least the Retry-After), so
// put this wrapper under it (failover.Config.Open returning
// lim.Wrap(driver)) to pace its retries.
//
// # Metrics
//
// Options.Observer is told of every wait and every pause; Stats returns
// totals, and metrics.RateLimitCollector (package backend/metrics)
// exports them, with the current limits, to Prometheus.
//
// # URLs
//
// objstore.Open accepts four query parameters on every store URL, takes
// them out before the driver sees the URL (FromURL), and wraps the
// backend it opened in a Limiter:
//
//	requests_per_sec=50        requests per second (a fraction such as 0.5 works)
//	request_burst=10           requests let through at once (needs requests_per_sec)
//	read_bytes_per_sec=10MiB   bytes per second delivered by Get readers
//	write_bytes_per_sec=1MiB   bytes per second read from Put readers
//
// Sizes are a number with an optional unit and "/s": KiB, MiB, GiB, TiB
// and K, M, G, T are binary, KB, MB, GB, TB decimal, B or nothing bytes.
// 0 is no limit. LimiterOf(client.Backend()) finds the Limiter, to change
// its limits at run time or to export its metrics. A value that is not a
// rate is an error naming the parameter; a misspelt parameter reaches the
// driver, which refuses it as unknown (mem:// ignores its query).
//
// # Errors
//
// The inner backend's errors are returned unchanged; a wait cut by the
// context is an *backend.Error for the operation and key wrapping the
// context's error.
package ratelimit
