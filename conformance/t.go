package conformance

import "context"

// T is the part of *testing.T that the checks use. *testing.T satisfies
// it, so Run hands each subtest's *testing.T to the checks as is; Check
// runs them with its own implementation. Anything with Errorf and FailNow
// is also a testify require.TestingT, so checks may use testify.
//
// As with *testing.T, Errorf and Logf may be called from any goroutine,
// while FailNow, Fatalf and Skipf must be called from the goroutine that
// runs the check, and they end it.
type T interface {
	// Name names the running check.
	Name() string
	// Helper marks the calling function as a helper (ignored by Check).
	Helper()
	// Logf records a note that is shown with the check's result.
	Logf(format string, args ...any)
	// Errorf records a failure and lets the check go on.
	Errorf(format string, args ...any)
	// FailNow marks the check failed and ends it.
	FailNow()
	// Fatalf is Errorf followed by FailNow.
	Fatalf(format string, args ...any)
	// Failed reports whether the check has failed so far.
	Failed() bool
	// Skipf records why the check does not apply and ends it.
	Skipf(format string, args ...any)
	// Cleanup registers a function to run when the check ends, last
	// registered first.
	Cleanup(func())
	// Context is cancelled just before the cleanup functions run (and, in
	// Check, when the check's deadline passes).
	Context() context.Context
}
