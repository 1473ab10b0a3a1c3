package faults_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
)

// With nothing planned the wrapper is transparent: it keeps the Backend
// contract, and the whole client works through it.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b, plan := faults.New(mem.New())
		t.Cleanup(func() { b.Close(); plan.AssertAllFired(t) })
		return b
	})
}

func TestClient(t *testing.T) {
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		b, _ := faults.New(mem.New())
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// The wrapper forwards exactly the optional capabilities of the inner
// backend.
func TestWrapperCompleteness(t *testing.T) {
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		b, _ := faults.New(inner)
		return b
	},
		// The wrapper has no Compose or Copy of its own, so observe's
		// ServedBy leaves them to backend.As through Unwrap: they take no
		// faults.
		conformance.Expect(conformance.Composer, conformance.Unwrapped),
		conformance.Expect(conformance.Copier, conformance.Unwrapped))
}
