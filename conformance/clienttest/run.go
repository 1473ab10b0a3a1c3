// Package clienttest is the client suite: it runs every method of
// objstore.Client, stream objects included, on a backend, so that each
// driver (mem, fs, minio, s3, gcs, azure) shows that the whole client
// works on it, not only the Backend contract that package conformance
// checks.
//
// A driver's test is a few lines, in an external test package:
//
//	func TestClient(t *testing.T) {
//		clienttest.Run(t, func(t *testing.T) backend.Backend {
//			b, err := fs.New(t.TempDir())
//			require.NoError(t, err)
//			t.Cleanup(func() { b.Close() })
//			return b
//		})
//	}
//
// The suite uses only the Backend interface and the capabilities it finds
// with backend.As, and adapts to a backend that cannot make create-only
// puts (the client then falls back to stat-then-put, and the checks that
// need a true create-only put are skipped with a note). Some checks wrap
// the backend to count calls or to make chosen keys fail; none replaces
// the store.
package clienttest

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
)

// Run runs the client suite as subtests of t, one after the other (never
// in parallel, so the timing and goroutine checks hold on a busy machine).
// newBackend is called once per subtest, with that subtest's t; it must
// return a fresh, empty namespace and register its own cleanup with
// t.Cleanup (the suite does not close it).
//
// Subtests are named by area and case ("stream/two-writers"), so `go test
// -run 'TestClient/stream/'` selects a part. A run takes a few seconds on
// mem and fs and about a minute on a local MinIO under -race: the listing
// and removal checks store 1100 small objects each, to cross the 1000-key
// page and batch boundaries; under go test -short they store 120 (and do
// not cross them).
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBackend(t)
			if b == nil {
				t.Fatal("the backend factory returned nil")
			}
			base := clientGoroutines()
			c.fn(t, b)
			if !t.Failed() {
				wantNoClientGoroutines(t, base)
			}
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, b backend.Backend)
}

// cases is every check of the suite, in the order they run.
var cases = concat(objectCases, listCases, listDirCases, streamCases, streamFaultCases, streamOpCases, capabilityCases, compactWatchCases, copyCases, ioCases)

func concat(lists ...[]testCase) []testCase {
	var all []testCase
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}
