package failover

import (
	"context"
	"log/slog"
	"time"
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
func (b *Backend) pick(ctx context.Context, tried map[*endpoint]int) (e *endpoint, fresh bool) {
	if e := b.pickLive(tried); e != nil {
		return e, true
	}
	if !b.anyLive() {
		b.refresh(ctx)
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
// current endpoints.
func (b *Backend) refresh(ctx context.Context) {
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
	switch {
	case err != nil:
		b.cfg.Logger.Warn("objstore failover: resolver failed; keeping the endpoints", slog.Any("error", err))
		return
	case len(addrs) == 0:
		b.cfg.Logger.Warn("objstore failover: resolver returned no endpoints; keeping the endpoints")
		return
	}
	b.setEndpoints(addrs)
}

// setEndpoints makes addrs the endpoint list: endpoints already known keep
// their state, new ones start up, and dropped ones are closed once unused.
func (b *Backend) setEndpoints(addrs []string) {
	b.mu.Lock()
	old := make(map[string]*endpoint, len(b.eps))
	for _, e := range b.eps {
		old[e.addr] = e
	}
	eps := make([]*endpoint, 0, len(addrs))
	var added, dropped []string
	for _, a := range addrs {
		if e, ok := old[a]; ok {
			eps = append(eps, e)
			delete(old, a)
			continue
		}
		e := newEndpoint(a)
		eps = append(eps, e)
		added = append(added, e.name)
	}
	for e := range b.draining {
		if e.isClosed() {
			delete(b.draining, e)
		}
	}
	for _, e := range old {
		dropped = append(dropped, e.name)
		b.draining[e] = true
	}
	b.eps = eps
	b.mu.Unlock()
	for _, e := range old {
		e.remove()
	}
	if len(added)+len(dropped) > 0 {
		b.cfg.Logger.Info("objstore failover: endpoints changed", slog.Any("added", added), slog.Any("dropped", dropped))
	}
}

// markDown records that e failed with a connection-class error; if it was
// up, it goes down, the Observer and the log hear of it and the prober is
// woken.
func (b *Backend) markDown(e *endpoint, err error) {
	first := jitter(b.cfg.ReprobeMin)
	if !e.markDown(err, time.Now(), first) {
		return
	}
	b.cfg.Logger.Warn("objstore failover: endpoint down", slog.String("endpoint", e.name),
		slog.Duration("reprobe_in", first), slog.Any("error", err))
	b.cfg.Observer.EndpointState(e.name, false)
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// markUp records a success on e; if it was down, it comes back.
func (b *Backend) markUp(e *endpoint) {
	if !e.markUp() {
		return
	}
	b.cfg.Logger.Info("objstore failover: endpoint up", slog.String("endpoint", e.name))
	b.cfg.Observer.EndpointState(e.name, true)
}
