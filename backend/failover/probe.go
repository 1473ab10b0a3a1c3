package failover

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// probeLoop re-probes down endpoints until Close: each one when its
// nextProbe time comes, with a delay that doubles (jittered) from
// ReprobeMin up to ReprobeMax after every failed probe. It is the only
// long-lived goroutine of a Backend.
func (b *Backend) probeLoop() {
	defer close(b.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for b.ctx.Err() == nil {
		due, next := b.dueProbes(time.Now())
		if len(due) > 0 {
			var wg sync.WaitGroup
			for _, e := range due {
				wg.Go(func() { b.probe(e) })
			}
			wg.Wait()
			continue
		}
		var wait <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			wait = timer.C
		}
		select {
		case <-b.ctx.Done():
			return
		case <-b.wake:
		case <-wait:
		}
		timer.Stop()
	}
}

// dueProbes returns the down endpoints whose probe time has come, and the
// earliest probe time still ahead (zero if none).
func (b *Backend) dueProbes(now time.Time) (due []*endpoint, next time.Time) {
	b.mu.Lock()
	eps := b.eps
	b.mu.Unlock()
	for _, e := range eps {
		e.mu.Lock()
		up, at := e.up, e.nextProbe
		e.mu.Unlock()
		switch {
		case up:
		case !at.After(now):
			due = append(due, e)
		case next.IsZero() || at.Before(next):
			next = at
		}
	}
	return due, next
}

// probe checks one down endpoint and marks it up, or schedules the next
// probe.
func (b *Backend) probe(e *endpoint) {
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.AttemptTimeout)
	defer cancel()
	err := b.check(ctx, e)
	if b.ctx.Err() != nil {
		return // closing
	}
	if err == nil {
		b.markUp(b.ctx, "probe", "", e) // no hooks: reported by the next call that uses e
		return
	}
	e.mu.Lock()
	next := min(2*e.probeDelay, b.cfg.ReprobeMax)
	e.mu.Unlock()
	next = jitter(max(next, b.cfg.ReprobeMin))
	e.probeFailed(err, time.Now(), next)
}

// check reports whether an endpoint answers: its HealthChecker says every
// server behind it is live, or, without one, a List of one key gets an
// answer from the server (an error such as ErrPermission is an answer too).
// A busy server is not yet counted as back.
func (b *Backend) check(ctx context.Context, e *endpoint) error {
	be, err := e.acquire(ctx, b.cfg.Open)
	if err != nil {
		return err
	}
	defer e.release()
	if hc, ok := backend.As[backend.HealthChecker](be); ok {
		hs, err := hc.Health(ctx)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return backend.NewError("health", "", backend.ErrUnavailable, errors.New("the health check reported no server"))
		}
		for _, h := range hs {
			if !h.Live {
				cause := h.Err
				if cause == nil {
					cause = errors.New("not live")
				}
				return backend.NewError("health", "", backend.ErrUnavailable, fmt.Errorf("%s: %w", h.Endpoint, cause))
			}
		}
		return nil
	}
	_, err = be.List(ctx, backend.ListOptions{PageSize: 1})
	if err != nil && classify(err) != classPermanent {
		return err
	}
	return nil
}
