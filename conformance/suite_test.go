package conformance

import (
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// The suite's own inputs must mean what the checks claim they mean.

func TestMaxMetadataIsTheLimit(t *testing.T) {
	md := maxMetadata()
	assert.Equal(t, backend.MaxMetadataSize, backend.MetadataSize(md))
	_, err := backend.NormalizeMetadata("put", "k", md)
	require.NoError(t, err)
	_, err = backend.NormalizeMetadata("put", "k", overMetadata())
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
}

func TestOddKeysAreValidAndDistinct(t *testing.T) {
	keys := OddKeys()
	for _, k := range keys {
		assert.NoError(t, backend.ValidateKey("put", k), "%q", k)
	}
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(keys))), len(keys))
	var long int
	for _, k := range keys {
		if len(k) == backend.MaxKeyLen {
			long++
			assert.True(t, utf8.ValidString(k))
		}
	}
	assert.Equal(t, 2, long, "two keys of exactly MaxKeyLen bytes")
	for _, k := range orderKeys {
		assert.NoError(t, backend.ValidateKey("put", k), "%q", k)
		for _, other := range orderKeys {
			assert.False(t, len(other) > len(k) && other[:len(k)+1] == k+"/", "%q is the directory of %q: the fs driver cannot hold both", k, other)
		}
	}
}

func TestInvalidKeysAreInvalid(t *testing.T) {
	for _, k := range InvalidKeys() {
		assert.ErrorIs(t, backend.ValidateKey("put", k), backend.ErrInvalidKey, "%q", k)
	}
}

// TestDocsNameEveryCheck keeps docs/conformance.md in step with the suite.
func TestDocsNameEveryCheck(t *testing.T) {
	doc, err := os.ReadFile("../docs/conformance.md")
	require.NoError(t, err)
	for _, c := range Checks() {
		assert.Contains(t, string(doc), "| `"+c.Name+"` |", "docs/conformance.md does not describe %s", c.Name)
	}
}
