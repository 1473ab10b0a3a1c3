package fs_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend { return newStore(t) })
}
