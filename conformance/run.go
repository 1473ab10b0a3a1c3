package conformance

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
)

// Run runs every check as a subtest of t, named after the check, so that
// `go test -run 'TestConformance/range-read'` selects one. newBackend is
// called once per check, with that subtest's t; it must return a fresh,
// empty namespace and register its own cleanup with t.Cleanup.
//
// Checks marked long (Info.Long) are skipped under go test -short and with
// the Short option. Checks run one after the other, never in parallel.
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend, opts ...Option) {
	t.Helper()
	plans, err := newConfig(opts).selection(testing.Short())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		t.Run(p.name, func(t *testing.T) {
			if p.skip != "" {
				t.Skip(p.skip)
			}
			b := newBackend(t)
			if b == nil {
				t.Fatal("the backend factory returned nil")
			}
			p.fn(t, b)
		})
	}
}
