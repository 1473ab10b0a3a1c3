package faults

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Plan is the queues of faults that the backends it wraps follow. The zero
// Plan is empty and ready to use.
type Plan struct {
	mu     sync.Mutex
	queues map[Op][]*planned
	all    []*planned // every fault ever added, in order, for Unfired
}

// planned is a fault with its progress.
type planned struct {
	Fault
	skipped int
	fired   int
}

func (p *planned) done() bool { return p.Times != Forever && p.fired >= p.times() }

// NewPlan returns a Plan holding faults (see Add).
func NewPlan(faults ...Fault) *Plan {
	p := new(Plan)
	p.Add(faults...)
	return p
}

// New wraps inner with a new Plan holding faults and returns both.
func New(inner backend.Backend, faults ...Fault) (backend.Backend, *Plan) {
	p := NewPlan(faults...)
	return p.Wrap(inner), p
}

// Add appends faults to the queues of their operations. It panics on a
// fault that cannot fire (no Op, a body fault on another operation than
// Get or Put, negative counts): a mistake in the test.
func (p *Plan) Add(faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queues == nil {
		p.queues = make(map[Op][]*planned)
	}
	for _, f := range faults {
		if err := f.validate(); err != nil {
			panic(err)
		}
		pf := &planned{Fault: f}
		p.queues[f.Op] = append(p.queues[f.Op], pf)
		p.all = append(p.all, pf)
	}
}

// Unfired returns the faults that have not fired as often as planned
// (Forever ones: not once), in the order they were added.
func (p *Plan) Unfired() []Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Fault
	for _, pf := range p.all {
		if pf.fired == 0 || !pf.done() && pf.Times != Forever {
			out = append(out, pf.Fault)
		}
	}
	return out
}

// TB is the part of *testing.T that AssertAllFired uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertAllFired fails t (without stopping it) naming each fault of the
// plan that did not fire as often as planned. A test whose faults never
// fired tested nothing.
func (p *Plan) AssertAllFired(t TB) {
	t.Helper()
	if left := p.Unfired(); len(left) > 0 {
		s := make([]string, len(left))
		for i, f := range left {
			s[i] = "  " + f.String()
		}
		t.Errorf("faults: %d planned fault(s) did not fire:\n%s", len(left), strings.Join(s, "\n"))
	}
}

// Reset drops every fault, fired or not.
func (p *Plan) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queues, p.all = nil, nil
}

// take returns the fault that fires on a call of op on key, and the
// number of its firing, or nil when the call goes through untouched.
func (p *Plan) take(op Op, key string) (*Fault, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queues[op]
	for i, pf := range q {
		if pf.Key != "" && pf.Key != key {
			continue
		}
		if pf.skipped < pf.SkipFirst {
			pf.skipped++
			return nil, 0
		}
		pf.fired++
		if pf.done() {
			p.queues[op] = append(q[:i:i], q[i+1:]...)
		}
		f := pf.Fault
		return &f, pf.fired
	}
	return nil, 0
}

// fire runs the Before callback and the delay of f, and returns the error
// the call must return instead of going through (nil: go through, with a
// body fault if f.Body).
func fire(ctx context.Context, f *Fault, n int, op, key string) error {
	if f.Before != nil {
		f.Before(ctx, Call{Op: f.Op, Key: key, N: n})
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return backend.NewError(op, key, nil, ctx.Err())
		}
	}
	if f.Err != nil && !f.Body {
		return injected(op, key, f.Err)
	}
	return nil
}

// injected is the error of a fault: an *backend.Error for op and key whose
// kind is err's (when err is or wraps a sentinel of package backend) and
// whose cause is err, marked with ErrInjected.
func injected(op, key string, err error) error {
	kind := kindOf(err)
	return backend.NewError(op, key, kind, &injectedError{err: err, bare: kind == err})
}

// injectedError is err marked with ErrInjected. bare: err is the *Error's
// kind already, so its text is not repeated.
type injectedError struct {
	err  error
	bare bool
}

func (e *injectedError) Error() string {
	if e.bare {
		return ErrInjected.Error()
	}
	return fmt.Sprintf("%v (%v)", e.err, ErrInjected)
}

func (e *injectedError) Unwrap() []error { return []error{e.err, ErrInjected} }

var kinds = []error{
	backend.ErrNotFound, backend.ErrExist, backend.ErrInvalidKey, backend.ErrInvalidArgument,
	backend.ErrClosed, backend.ErrNotSupported, backend.ErrPermission, backend.ErrUnavailable,
	backend.ErrServerBusy, backend.ErrTooLarge,
}

func kindOf(err error) error {
	if e, ok := err.(*backend.Error); ok {
		return e.Kind
	}
	for _, k := range kinds {
		if err == k {
			return k
		}
	}
	return nil
}
