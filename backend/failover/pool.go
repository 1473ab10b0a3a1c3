package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// pick chooses the endpoint for the next attempt of an operation that has
// already tried the endpoints in tried. In order of preference:
//
//  1. a live endpoint this operation has not tried, in round-robin order
//     (this spreads load, and sends a retry to another server);
//  2. if no endpoint is live: the resolver is asked again, and a live new
//     endpoint is taken;
//  3. the live endpoint this operation tried longest ago (a busy server,
//     asked again after a backoff; with several, the attempts rotate);
//  4. the down endpoint that failed least recently, as a last resort, so
//     that a store whose every endpoint blinked is still tried.
//
// tried maps each endpoint the operation used to its latest attempt number.
// fresh is false in cases 3 and 4: the caller backs off before using it.
func (b *Backend) pick(ctx context.Context, op, key string, tried map[*endpoint]int) (e *endpoint, fresh bool) {
	if e := b.pickLive(tried); e != nil {
		return e, true
	}
	if !b.anyLive() {
		b.refresh(ctx, op, key)
		if e := b.pickLive(tried); e != nil {
			return e, true
		}
	}
	if e := b.triedLongestAgo(tried); e != nil {
		return e, false
	}
	return b.leastRecentlyFailed(), false
}

// pickLive returns the next live endpoint in round-robin order that is not
// in tried, or nil.
func (b *Backend) pickLive(tried map[*endpoint]int) *endpoint {
	b.mu.Lock()
	eps := b.eps
	b.mu.Unlock()
	n := uint64(len(eps))
	start := b.rr.Add(1)
	for i := uint64(0); i < n; i++ {
		e := eps[(start+i)%n]
		if _, used := tried[e]; !used && e.isUp() {
			return e
		}
	}
	return nil
}

// triedLongestAgo returns the live endpoint whose latest attempt in tried
// is the oldest, or nil if none is live.
func (b *Backend) triedLongestAgo(tried map[*endpoint]int) *endpoint {
	b.mu.Lock()
	eps := b.eps
	b.mu.Unlock()
	var best *endpoint
	for _, e := range eps {
		if e.isUp() && (best == nil || tried[e] < tried[best]) {
			best = e
		}
	}
	return best
}

func (b *Backend) anyLive() bool {
	b.mu.Lock()
	eps := b.eps
	b.mu.Unlock()
	for _, e := range eps {
		if e.isUp() {
			return true
		}
	}
	return false
}

func (b *Backend) leastRecentlyFailed() *endpoint {
	b.mu.Lock()
	eps := b.eps
	b.mu.Unlock()
	var best *endpoint
	var bestTime time.Time
	for _, e := range eps {
		e.mu.Lock()
		t := e.lastFail
		e.mu.Unlock()
		if best == nil || t.Before(bestTime) {
			best, bestTime = e, t
		}
	}
	return best
}

// refresh asks the resolver for the endpoints again, at most once per
// ReprobeMin, and applies the answer. An error or an empty answer keeps the
// current endpoints. A failure or a change is reported to the hooks of
// ctx, the context of operation op on key.
func (b *Backend) refresh(ctx context.Context, op, key string) {
	b.resolveMu.Lock()
	defer b.resolveMu.Unlock()
	if time.Since(b.lastResolve) < b.cfg.ReprobeMin {
		return
	}
	b.lastResolve = time.Now()
	rctx, cancel := context.WithTimeout(ctx, b.cfg.AttemptTimeout)
	addrs, err := b.cfg.Resolve(rctx)
	cancel()
	addrs = dedupe(addrs)
	ev := backend.AttemptEvent{Kind: backend.AttemptResolve, Op: op, Key: key}
	switch {
	case err != nil:
		ev.Err = fmt.Errorf("failover: resolving the endpoints again: %w", err)
	case len(addrs) == 0:
		ev.Err = errors.New("failover: the resolver returned no endpoints")
	case b.setEndpoints(addrs):
		ev.Endpoint = b.names()
	default:
		return
	}
	backend.ReportAttempt(ctx, ev)
}

// names lists the current endpoints, separated by commas, credentials
// removed.
func (b *Backend) names() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	names := make([]string, len(b.eps))
	for i, e := range b.eps {
		names[i] = e.name
	}
	return strings.Join(names, ",")
}

// setEndpoints makes addrs the endpoint list: endpoints already known keep
// their state, new ones start up, and dropped ones are closed once unused.
// It reports whether an endpoint was added or dropped.
func (b *Backend) setEndpoints(addrs []string) bool {
	b.mu.Lock()
	old := make(map[string]*endpoint, len(b.eps))
	for _, e := range b.eps {
		old[e.addr] = e
	}
	eps := make([]*endpoint, 0, len(addrs))
	changed := false
	for _, a := range addrs {
		if e, ok := old[a]; ok {
			eps = append(eps, e)
			delete(old, a)
			continue
		}
		eps = append(eps, newEndpoint(a))
		changed = true
	}
	for e := range b.draining {
		if e.isClosed() {
			delete(b.draining, e)
		}
	}
	for _, e := range old {
		b.draining[e] = true
		changed = true
	}
	b.eps = eps
	b.mu.Unlock()
	for _, e := range old {
		e.remove()
	}
	return changed
}

// markDown records that e failed with a connection-class error; if it was
// up, it goes down, the hooks of ctx (the context of operation op on key)
// hear of it and the prober is woken.
func (b *Backend) markDown(ctx context.Context, op, key string, e *endpoint, err error) {
	first := jitter(b.cfg.ReprobeMin)
	if !e.markDown(err, time.Now(), first) {
		return
	}
	backend.ReportAttempt(ctx, backend.AttemptEvent{Kind: backend.AttemptEndpointDown, Op: op, Key: key, Endpoint: e.name, Err: err})
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// markUp records a success on e; if it was down, it comes back. The
// hooks of ctx (the context of operation op on key) hear of it; when ctx
// has none (the background prober), the first call with hooks that
// succeeds on e hears of it instead.
func (b *Backend) markUp(ctx context.Context, op, key string, e *endpoint) {
	if e.markUp(len(backend.AttemptHooks(ctx)) > 0) {
		backend.ReportAttempt(ctx, backend.AttemptEvent{Kind: backend.AttemptEndpointUp, Op: op, Key: key, Endpoint: e.name})
	}
}
