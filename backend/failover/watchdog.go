package failover

import (
	"context"
	"sync"
	"time"
)

// watchdog cancels an attempt's context (with cause errAttemptTimeout)
// when the attempt makes no progress for a window. The window can change
// as the attempt moves from waiting for an answer (AttemptTimeout) to
// transferring bytes (StallTimeout), and it can be paused while the
// attempt waits for the caller rather than the server. Each pause and
// resume costs a mutex and a clock read; the timer re-arms itself instead
// of being reset on every Read.
type watchdog struct {
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	timer   *time.Timer
	window  time.Duration
	last    time.Time // of the last progress
	paused  int       // > 0 while the caller's own reader is being read
	fired   bool
	stopped bool
}

// newWatchdog returns a context derived from parent that the watchdog
// cancels after window without progress.
func newWatchdog(parent context.Context, window time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{cancel: cancel, window: window, last: time.Now()}
	w.mu.Lock()
	w.timer = time.AfterFunc(window, w.check)
	w.mu.Unlock()
	return ctx, w
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.fired {
		return
	}
	if w.paused > 0 {
		w.timer.Reset(w.window)
		return
	}
	if idle := time.Since(w.last); idle < w.window {
		w.timer.Reset(w.window - idle)
		return
	}
	w.fired = true
	w.cancel(errAttemptTimeout)
}

// pause stops the clock while the attempt waits for the caller, not for
// the server: while a Put's source reader is read, between the Reads of a
// Get body. resume restarts it, counting as progress.
func (w *watchdog) pause() {
	w.mu.Lock()
	w.paused++
	w.mu.Unlock()
}

func (w *watchdog) resume() {
	w.mu.Lock()
	w.paused--
	w.last = time.Now()
	w.mu.Unlock()
}

// setWindow changes the window, counting from now.
func (w *watchdog) setWindow(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.fired {
		return
	}
	w.window, w.last = d, time.Now()
	w.timer.Reset(d)
}

// currentWindow returns the window in force.
func (w *watchdog) currentWindow() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.window
}

// hasFired reports whether the watchdog cancelled the attempt.
func (w *watchdog) hasFired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// stop disarms the watchdog and cancels its context (the attempt is over).
// It reports whether the watchdog had fired.
func (w *watchdog) stop() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		w.timer.Stop()
		w.cancel(context.Canceled)
	}
	return w.fired
}
