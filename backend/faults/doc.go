// Package faults is a Backend wrapper for tests that makes chosen calls
// fail, stall or break mid-body, following a plan written by the test, and
// then tells whether every planned fault happened.
//
//	b, plan := faults.New(mem.New(),
//		faults.Fail(faults.Put, backend.ErrUnavailable),             // the next Put fails
//		faults.FailBody(faults.Get, 3, backend.ErrUnavailable),      // the next Get body breaks after 3 bytes
//		faults.FailPage(1, backend.ErrServerBusy).Repeat(2),         // the 2nd page of a listing fails, twice
//		faults.Slow(faults.Stat, time.Second),                       // the next Stat waits a second first
//	)
//	c := objstore.New(b)
//	... exercise the code under test ...
//	plan.AssertAllFired(t)
//
// It is kopia's fault-injection backend, importable: use it in your own
// unit tests over mem, or between a retry layer and a real driver
// (failover.Config.Open returning plan.Wrap(driver)).
//
// # Plans
//
// A Plan holds one queue of faults per operation (Put, Get, Stat, List,
// Remove, and RemoveMany, Health, Presign, SetExpiry, Expiry for the
// optional capabilities). A call takes the first fault of its operation's
// queue that matches its key (Fault.Key; for List the listing prefix);
// a fault that still has calls to let through (SkipFirst) lets this one
// through, otherwise it fires, and it leaves the queue once it has fired
// Times times (once by default; Forever never leaves). Calls that find no
// fault go to the inner backend untouched, so with an empty plan the
// wrapper is transparent: the conformance suite passes through it.
//
// A fault that fires runs, in order: its Before callback, its Delay (cut
// short by the call's context), and then one of:
//
//   - Err without Body: the call returns Err and the inner backend is not
//     called (nothing is stored or removed);
//   - Err with Body (FailBody): the call goes through, and its body breaks
//     with Err after AfterBytes bytes: a Get's reader delivers AfterBytes
//     bytes then fails; a Put's inner backend reads AfterBytes bytes of
//     the caller's reader then gets Err, so that it fails and, as every
//     Put must, stores nothing;
//   - no Err: the call goes through (a delay or a callback alone).
//
// Plans are safe for concurrent use; one plan may wrap several backends
// (the endpoints of a failover backend), whose calls then share its
// queues.
//
// # Capabilities
//
// The wrapped backend has exactly the optional capabilities BatchRemover,
// HealthChecker, Presigner and Lifecycler of the inner one, each with
// faults of its own operation, and Unwrap, so backend.As finds the inner
// backend's other capabilities (KeyChecker, Composer), which take no
// faults.
//
// # Errors
//
// A fault's error is returned as a *backend.Error naming the operation and
// the key, with the fault's error as its cause, so that errors.Is(err,
// backend.ErrUnavailable) holds for Fail(op, backend.ErrUnavailable), and
// errors.Is(err, faults.ErrInjected) holds for every injected error.
// Errors of the inner backend are returned unchanged.
package faults
