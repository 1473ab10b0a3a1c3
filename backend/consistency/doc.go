// Package consistency is a Backend wrapper for tests that makes listings
// eventually consistent, as some stores and caches are, and that stamps
// modification times with an injected clock.
//
//	clock := consistency.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
//	b := consistency.New(mem.New(), consistency.Options{Window: 10 * time.Second, Clock: clock})
//	c := objstore.New(b)
//	... put, then clock.Advance(10 * time.Second) before the listing shows it ...
//
// It is kopia's eventual-consistency simulator, importable. Under
// testing/synctest the default clock (time.Now) is the bubble's fake
// clock, so a test can time.Sleep through the window without waiting.
//
// # What lags
//
// For Window after a Put, a Remove or a RemoveMany through the wrapper
// returned, List shows the key as it was before the first of the writes
// in that window: a new key is missing, a removed key is still listed
// (with its old info), an overwritten key is listed with its old size and
// ETag. Each write of the key restarts its window. Stat and Get stay
// read-after-write: they always see the last write, as on every driver of
// this module; so does everything a client builds on them.
//
// Writes that do not go through the wrapper (another client of the inner
// store, Compose and Copy, which are found through Unwrap) are listed at
// once. The state of a key before its first lagging write is taken with a
// Stat of the inner backend just before the write; concurrent writes of
// one key may leave either old state listed for the window, as a real
// store may.
//
// # Clock
//
// With Options.Clock set, the LastModified of every object written
// through the wrapper is the clock's time when its Put returned, in Put's
// info and in Stat, Get and List, so that code which ages objects can be
// tested without sleeping; objects written otherwise keep the store's
// time. Without a Clock, times are the store's and the window runs on
// time.Now.
//
// # Listing
//
// With a Window or a Clock the wrapper lists by itself: each page lists
// the whole prefix of the inner backend, applies the lag, and pages in key
// order with tokens of its own (stateless: the last entry of the page).
// That is simple and exact, and costs a full listing per page: fine for
// tests, and the reason the load-list-early-stop conformance check is
// skipped on it. With neither, the wrapper is transparent.
//
// # Errors
//
// The inner backend's errors are returned unchanged; a token the wrapper
// did not make is ErrInvalidArgument.
package consistency
