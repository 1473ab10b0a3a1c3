package failover

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// endpoint is one server the resolver named: its lazily opened raw backend
// and its health as the wrapper sees it.
type endpoint struct {
	addr string // as the resolver gave it; passed to Config.Open
	name string // addr without credentials, for errors, events and String

	openMu sync.Mutex // serialises Config.Open, so that it runs once

	mu         sync.Mutex
	be         backend.Backend // nil until opened, and again once closed
	up         bool
	failures   int       // consecutive failed attempts or probes
	lastErr    error     // of the last failure, nil once up again
	lastFail   time.Time // when the last failure happened
	downSince  time.Time // zero while up
	nextProbe  time.Time // zero while up
	probeDelay time.Duration
	refs       int  // requests (and open Get bodies) using be
	removed    bool // dropped by the resolver: close be once refs is 0
	closed     bool // be is closed (or will never be opened again)
	// upUnreported: the endpoint came back while no call with attempt
	// hooks was there to hear of it (the background prober); the next
	// call with hooks that succeeds on it does.
	upUnreported bool
}

func newEndpoint(addr string) *endpoint {
	return &endpoint{addr: addr, name: redactEndpoint(addr), up: true}
}

// redactEndpoint removes credentials from an endpoint string, whether it is
// a URL or "user:secret@host:port".
func redactEndpoint(s string) string {
	if strings.Contains(s, "://") {
		return backend.Redact(s)
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "xxxxx@" + s[i+1:]
	}
	return s
}

// acquire returns the endpoint's backend, opening it on first use, and
// holds a reference on it that the caller gives back with release.
func (e *endpoint) acquire(ctx context.Context, open func(context.Context, string) (backend.Backend, error)) (backend.Backend, error) {
	if be, err := e.ref(); be != nil || err != nil {
		return be, err
	}
	e.openMu.Lock()
	defer e.openMu.Unlock()
	if be, err := e.ref(); be != nil || err != nil {
		return be, err // opened while we waited
	}
	be, err := open(ctx, e.addr)
	if err != nil {
		return nil, err
	}
	if be == nil {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, errNilOpen)
	}
	e.mu.Lock()
	if err := e.unusable(); err != nil {
		e.mu.Unlock()
		_ = be.Close() // Close or the resolver raced with us: nobody may use it
		return nil, err
	}
	e.be = be
	e.refs++
	e.mu.Unlock()
	return be, nil
}

// ref takes a reference on an opened backend; (nil, nil) if not opened.
func (e *endpoint) ref() (backend.Backend, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.unusable(); err != nil {
		return nil, err
	}
	if e.be != nil {
		e.refs++
	}
	return e.be, nil
}

// unusable says why the endpoint can no longer be used, if it cannot. A
// dropped endpoint is ErrUnavailable, so that a request that picked it
// just before the resolver dropped it moves on to another one.
func (e *endpoint) unusable() error {
	switch {
	case e.removed:
		return backend.NewError("open", "", backend.ErrUnavailable, fmt.Errorf("endpoint %s was dropped by the resolver", e.name))
	case e.closed:
		return backend.NewError("open", "", backend.ErrClosed, nil)
	}
	return nil
}

// release gives back a reference taken by acquire, closing the backend of a
// removed endpoint when the last user is done.
func (e *endpoint) release() {
	e.mu.Lock()
	e.refs--
	var toClose backend.Backend
	if e.removed && e.refs == 0 && !e.closed {
		toClose, e.be, e.closed = e.be, nil, true
	}
	e.mu.Unlock()
	if toClose != nil {
		_ = toClose.Close()
	}
}

// remove marks the endpoint dropped by the resolver; its backend is closed
// now if unused, else by the last release.
func (e *endpoint) remove() {
	e.mu.Lock()
	e.removed = true
	var toClose backend.Backend
	if e.refs == 0 && !e.closed {
		toClose, e.be, e.closed = e.be, nil, true
	}
	e.mu.Unlock()
	if toClose != nil {
		_ = toClose.Close()
	}
}

// close closes the backend regardless of users: the wrapper is closing.
func (e *endpoint) close() error {
	e.mu.Lock()
	be := e.be
	e.be, e.closed = nil, true
	e.mu.Unlock()
	if be != nil {
		return be.Close()
	}
	return nil
}

func (e *endpoint) isUp() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.up && !e.removed
}

func (e *endpoint) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// markDown records a connection-class failure. It reports whether the
// endpoint went from up to down.
func (e *endpoint) markDown(err error, now time.Time, firstProbe time.Duration) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures++
	e.lastErr, e.lastFail = err, now
	if !e.up {
		return false
	}
	e.up, e.upUnreported = false, false
	e.downSince = now
	e.probeDelay = firstProbe
	e.nextProbe = now.Add(firstProbe)
	return true
}

// markUp records a success. It reports whether the endpoint's return to
// the rotation is to be reported now: it was down, or it came back
// unreported earlier. With report false (no one to tell), a return is
// kept for the next call that reports.
func (e *endpoint) markUp(report bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures, e.lastErr = 0, nil
	back := !e.up
	if back {
		e.up = true
		e.downSince, e.nextProbe = time.Time{}, time.Time{}
	}
	if !report {
		e.upUnreported = e.upUnreported || back
		return false
	}
	back = back || e.upUnreported
	e.upUnreported = false
	return back
}

// probeFailed schedules the next probe of a down endpoint after next.
func (e *endpoint) probeFailed(err error, now time.Time, next time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures++
	e.lastErr, e.lastFail = err, now
	e.probeDelay = next
	if !e.up {
		e.nextProbe = now.Add(next)
	}
}

// EndpointStatus is the state of one endpoint, as Backend.Endpoints
// reports it.
type EndpointStatus struct {
	Endpoint  string    // as the resolver named it, credentials removed
	Up        bool      // requests are sent to it
	Opened    bool      // Config.Open has succeeded for it
	Failures  int       // consecutive failed attempts and probes
	LastError error     // of the last failure; nil when it is up and well
	DownSince time.Time // zero while up
	NextProbe time.Time // zero while up
}

func (e *endpoint) status() EndpointStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return EndpointStatus{
		Endpoint:  e.name,
		Up:        e.up,
		Opened:    e.be != nil,
		Failures:  e.failures,
		LastError: e.lastErr,
		DownSince: e.downSince,
		NextProbe: e.nextProbe,
	}
}
