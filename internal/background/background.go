// Package background runs a driver's own goroutines (work that goes on
// after the call that started it returned, such as the retried abort of a
// failed upload) and stops them when the driver closes.
package background

import (
	"context"
	"sync"
)

// Group is the set of a driver's background goroutines. The zero value is
// not usable: make one with New.
type Group struct {
	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// New returns an empty Group.
func New() *Group {
	ctx, cancel := context.WithCancel(context.Background())
	return &Group{ctx: ctx, cancel: cancel}
}

// Go runs f on a goroutine of its own, with a context that ends at Stop;
// Stop waits for it. It returns false, and does not run f, once the
// group is stopped.
func (g *Group) Go(f func(stop context.Context)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f(g.ctx)
	}()
	return true
}

// Stop ends the context of every goroutine of Go and waits for them. It is
// idempotent.
func (g *Group) Stop() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.cancel()
	g.wg.Wait()
}
