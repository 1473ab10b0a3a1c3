package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Result is the outcome of one check run by Check. Exactly one of three
// holds: Passed, Skipped, or neither (the check failed).
type Result struct {
	Name     string        // the check's stable name (see Checks)
	Passed   bool          // the check ran and found nothing wrong
	Skipped  bool          // the check did not apply or was not selected
	Message  string        // failures, skip reason and notes, one per line
	Duration time.Duration // how long the check took, cleanup included
}

// Failed reports whether the check failed.
func (r Result) Failed() bool { return !r.Passed && !r.Skipped }

// String is one line: "PASS name (12ms)", "SKIP name: reason" or
// "FAIL name (3s): first line of the message".
func (r Result) String() string {
	status := "FAIL"
	switch {
	case r.Passed:
		status = "PASS"
	case r.Skipped:
		status = "SKIP"
	}
	s := fmt.Sprintf("%s %s (%s)", status, r.Name, r.Duration.Round(time.Millisecond))
	if first, _, _ := strings.Cut(r.Message, "\n"); first != "" && !r.Passed {
		s += ": " + first
	}
	return s
}

// Err returns nil when no check failed, else an error that names every
// failed check and its message.
func Err(results []Result) error {
	var errs []error
	for _, r := range results {
		if r.Failed() {
			errs = append(errs, fmt.Errorf("%s: %s", r.Name, r.Message))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("conformance: %d of %d checks failed:\n%w", len(errs), len(results), errors.Join(errs...))
}

// Check runs the checks outside go test, one after the other, and returns
// one Result per check in suite order. newBackend is called once per check
// with ctx; it returns a fresh, empty namespace, a cleanup function (may be
// nil) that Check calls when the check ends, and an error that fails that
// check. Unknown names in Only or Skip give a single failed Result named
// "options".
//
// Each check runs in a goroutine of its own: FailNow (and Fatalf, Skipf)
// end that goroutine with runtime.Goexit, as in package testing, so a
// failure stops only that check. A panic in a check is a failure of that
// check, with its stack in the message.
func Check(ctx context.Context, newBackend func(ctx context.Context) (backend.Backend, func(), error), opts ...Option) []Result {
	cfg := newConfig(opts)
	plans, err := cfg.selection(false)
	if err != nil {
		return []Result{{Name: "options", Message: err.Error()}}
	}
	results := make([]Result, 0, len(plans))
	for _, p := range plans {
		var r Result
		if p.skip != "" {
			r = Result{Name: p.name, Skipped: true, Message: p.skip}
		} else {
			r = runCheck(ctx, cfg, p.check, newBackend)
		}
		if cfg.report != nil {
			cfg.report(r)
		}
		results = append(results, r)
	}
	return results
}

// runCheck runs one check in its own goroutine and waits for it, at most
// until its deadline plus the grace period.
func runCheck(ctx context.Context, cfg *config, c check, newBackend func(context.Context) (backend.Backend, func(), error)) Result {
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	ct := &checkT{name: c.name, ctx: cctx, cancel: cancel}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ct.runCleanups()
		defer ct.recoverPanic()
		// The factory gets the caller's ctx, not the check's: its cleanup
		// runs after the check's context is cancelled.
		b, cleanup, err := newBackend(ctx)
		if cleanup != nil {
			ct.Cleanup(cleanup)
		}
		if err != nil {
			ct.Fatalf("cannot make a backend: %v", err)
		}
		if b == nil {
			ct.Fatalf("the backend factory returned nil")
		}
		c.fn(ct, b)
	}()
	timer := time.NewTimer(cfg.timeout + cfg.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		ct.Errorf("the check did not end within %s of its %s deadline; abandoned (its goroutine may still run)", cfg.grace, cfg.timeout)
	}
	return ct.result(time.Since(start))
}

// maxLines bounds the Message of a Result: a broken store can fail the
// same way hundreds of times, and the first lines tell the story.
const maxLines = 40

// checkT is the T of Check. Its methods are safe for concurrent use.
type checkT struct {
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	failed   bool
	skipped  bool
	lines    []string
	cleanups []func()
}

var _ T = (*checkT)(nil)

func (c *checkT) Name() string             { return c.name }
func (c *checkT) Helper()                  {}
func (c *checkT) Context() context.Context { return c.ctx }

func (c *checkT) add(line string, fail bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if line != "" {
		c.lines = append(c.lines, line)
	}
	if fail {
		c.failed = true
	}
}

func (c *checkT) Logf(format string, args ...any)   { c.add(fmt.Sprintf(format, args...), false) }
func (c *checkT) Errorf(format string, args ...any) { c.add(fmt.Sprintf(format, args...), true) }

func (c *checkT) FailNow() {
	c.add("", true)
	runtime.Goexit()
}

func (c *checkT) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	runtime.Goexit()
}

func (c *checkT) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

func (c *checkT) Skipf(format string, args ...any) {
	c.mu.Lock()
	c.skipped = true
	c.lines = append(c.lines, fmt.Sprintf(format, args...))
	c.mu.Unlock()
	runtime.Goexit()
}

func (c *checkT) Cleanup(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cleanups = append(c.cleanups, f)
}

func (c *checkT) recoverPanic() {
	if v := recover(); v != nil {
		c.Errorf("panic: %v\n%s", v, debug.Stack())
	}
}

// runCleanups cancels the context, then runs the cleanups last first,
// each protected against panics and against a Goexit (a cleanup that
// calls FailNow), so that every one of them runs.
func (c *checkT) runCleanups() {
	c.cancel()
	for {
		c.mu.Lock()
		n := len(c.cleanups)
		if n == 0 {
			c.mu.Unlock()
			return
		}
		f := c.cleanups[n-1]
		c.cleanups = c.cleanups[:n-1]
		c.mu.Unlock()
		c.callCleanup(f)
	}
}

func (c *checkT) callCleanup(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.recoverPanic()
		f()
	}()
	<-done
}

func (c *checkT) result(d time.Duration) Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	lines := c.lines
	if len(lines) > maxLines {
		lines = append(lines[:maxLines:maxLines], fmt.Sprintf("... and %d more lines", len(c.lines)-maxLines))
	}
	r := Result{Name: c.name, Duration: d, Message: strings.Join(lines, "\n")}
	switch {
	case c.failed:
	case c.skipped:
		r.Skipped = true
	default:
		r.Passed = true
	}
	return r
}
