package faults

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Op names the operation a fault applies to, as errors, logs and metrics
// name it.
type Op string

// The operations that take faults.
const (
	Put        Op = "put"
	Get        Op = "get"
	Stat       Op = "stat"
	List       Op = "list"
	Remove     Op = "remove"
	RemoveMany Op = "remove-many"
	Health     Op = "health"
	Presign    Op = "presign" // every method: presign-get, presign-put, ...
	SetExpiry  Op = "set-expiry"
	Expiry     Op = "expiry"
)

// Forever is the Times of a fault that fires on every matching call and
// never leaves its queue.
const Forever = -1

// ErrInjected is the cause of every error a fault returns, beside the
// fault's own error: errors.Is(err, ErrInjected) tells a planned failure
// from a real one.
var ErrInjected = errors.New("injected fault")

// Call describes the call a fault fires on; Before gets it.
type Call struct {
	Op  Op
	Key string // the key; for List the prefix; "" for calls without one
	// N counts the fault's firings, from 1.
	N int
}

// Fault is one planned misbehaviour. Build it with Fail, FailBody,
// FailPage, Slow or Do and refine it with its methods; the zero Times
// means once.
type Fault struct {
	Op  Op
	Key string // only calls on this key (List: this prefix); "" matches every call

	// Err is returned instead of the call, or, with Body, by the call's
	// body after AfterBytes bytes. nil: the call goes through.
	Err        error
	Body       bool
	AfterBytes int64

	Delay  time.Duration                        // waited before the call (or the error)
	Before func(ctx context.Context, call Call) // run first, when the fault fires

	SkipFirst int // matching calls let through before the fault fires
	Times     int // firings before the fault leaves its queue; 0: once; Forever
}

// Fail makes the next call of op return err, without calling the inner
// backend.
func Fail(op Op, err error) Fault { return Fault{Op: op, Err: err} }

// FailBody makes the body of the next call of op (Get or Put) break with
// err after n bytes: a Get's reader delivers n bytes then fails; a Put's
// inner backend reads n bytes of the caller's reader then gets err.
func FailBody(op Op, n int64, err error) Fault {
	return Fault{Op: op, Err: err, Body: true, AfterBytes: n}
}

// FailPage makes a listing fail after k pages: the List call after k
// matching List calls that went through returns err. For one consumer
// listing page by page, that is page k+1.
func FailPage(k int, err error) Fault { return Fault{Op: List, Err: err, SkipFirst: k} }

// Slow makes the next call of op wait d before it goes through.
func Slow(op Op, d time.Duration) Fault { return Fault{Op: op, Delay: d} }

// Do runs fn before the next call of op, which then goes through: a test
// can change the store, cancel a context or count calls at that moment.
func Do(op Op, fn func(ctx context.Context, call Call)) Fault {
	return Fault{Op: op, Before: fn}
}

// OnKey restricts f to calls on key (for List: with this prefix).
func (f Fault) OnKey(key string) Fault { f.Key = key; return f }

// Repeat makes f fire n times (Forever: on every matching call).
func (f Fault) Repeat(n int) Fault { f.Times = n; return f }

// Skip lets n matching calls through before f fires.
func (f Fault) Skip(n int) Fault { f.SkipFirst = n; return f }

// WithDelay makes f wait d before it acts.
func (f Fault) WithDelay(d time.Duration) Fault { f.Delay = d; return f }

// WithBefore makes f run fn first when it fires.
func (f Fault) WithBefore(fn func(ctx context.Context, call Call)) Fault {
	f.Before = fn
	return f
}

// String describes f, for failure messages: `put "k": fail after 3 bytes
// with store unavailable, 2 times`.
func (f Fault) String() string {
	var s strings.Builder
	s.WriteString(string(f.Op))
	if f.Key != "" {
		s.WriteString(" " + strconv.Quote(f.Key))
	}
	s.WriteString(":")
	if f.SkipFirst > 0 {
		fmt.Fprintf(&s, " after %d calls,", f.SkipFirst)
	}
	if f.Before != nil {
		s.WriteString(" callback,")
	}
	if f.Delay > 0 {
		fmt.Fprintf(&s, " delay %v,", f.Delay)
	}
	switch {
	case f.Err != nil && f.Body:
		fmt.Fprintf(&s, " body fails after %d bytes with %v", f.AfterBytes, f.Err)
	case f.Err != nil:
		fmt.Fprintf(&s, " fail with %v", f.Err)
	default:
		s.WriteString(" go through")
	}
	switch {
	case f.Times == Forever:
		s.WriteString(", forever")
	case f.Times > 1:
		fmt.Fprintf(&s, ", %d times", f.Times)
	}
	return s.String()
}

func (f Fault) times() int {
	if f.Times == 0 {
		return 1
	}
	return f.Times
}

func (f Fault) validate() error {
	switch {
	case f.Op == "":
		return errors.New("faults: a fault has no Op")
	case f.Body && f.Op != Get && f.Op != Put:
		return fmt.Errorf("faults: a body fault needs Get or Put, not %s", f.Op)
	case f.Body && f.Err == nil:
		return errors.New("faults: a body fault needs an Err")
	case f.AfterBytes < 0, f.SkipFirst < 0, f.Delay < 0, f.Times < Forever:
		return fmt.Errorf("faults: negative count or delay in %v", f)
	}
	return nil
}
