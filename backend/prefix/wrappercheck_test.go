package prefix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/prefix"
	"github.com/objstore-dev/objstore/conformance"
)

// A view has each capability exactly when its inner backend has it,
// confined, and always KeyChecker (its own length limit). It has no
// Unwrap, so what it does not serve itself is hidden: Compose and Copy
// (a gap, declared here; the client then streams the bytes).
func TestWrapperCompleteness(t *testing.T) {
	conformance.RunWrapper(t, func(t *testing.T, inner backend.Backend) backend.Backend {
		v, err := prefix.New(inner, "view/")
		require.NoError(t, err)
		return v
	},
		conformance.Expect(conformance.KeyChecker, conformance.Provided),
		conformance.Expect(conformance.Composer, conformance.Hidden),
		conformance.Expect(conformance.Copier, conformance.Hidden))
}
