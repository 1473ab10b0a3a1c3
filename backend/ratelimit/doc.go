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
// later request of the Limiter waits until a pause has passed: the
// duration of the error's RetryAfter() method, if an error in its chain
// has one (errors.As), else BackoffBase doubled for each busy answer in a
// row, up to BackoffMax; a successful call resets the doubling. The busy
// error itself is returned: retrying is the retry layer's job (failover),
// so put this wrapper under it (failover.Config.Open returning
// lim.Wrap(driver)) to pace its retries. No driver of this module exposes
// Retry-After yet, so today the backoff is always exponential.
//
// # Metrics
//
// Options.Observer is told of every wait and every pause; Stats returns
// totals. backend/metrics and backend/logging do not know of them.
//
// # URLs
//
// The package registers no URL scheme or parameter: wrap a backend
// opened any other way.
//
// # Errors
//
// The inner backend's errors are returned unchanged; a wait cut by the
// context is an *backend.Error for the operation and key wrapping the
// context's error.
package ratelimit
