package consistency

import (
	"sync"
	"time"
)

// Clock tells the time the wrapper stamps writes with and measures the
// window on.
type Clock interface {
	Now() time.Time
}

// ManualClock is a Clock that moves only when told. It is safe for
// concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// ClockFunc is a Clock made of a function: ClockFunc(time.Now) stamps
// writes with the wall clock (and makes the wrapper list by itself).
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
