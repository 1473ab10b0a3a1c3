package backend_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestCheckCopy(t *testing.T) {
	// Without ReplaceMetadata the attributes are cleared: the source's apply.
	o, err := backend.CheckCopy("b", "a", backend.CopyOptions{ContentType: "text/plain", Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, backend.CopyOptions{}, o)

	// With it they are normalised.
	o, err = backend.CheckCopy("b", "a", backend.CopyOptions{ReplaceMetadata: true, Metadata: map[string]string{"K": "v"}, IfNotExist: true})
	require.NoError(t, err)
	assert.Equal(t, backend.CopyOptions{ReplaceMetadata: true, ContentType: backend.DefaultContentType, Metadata: map[string]string{"k": "v"}, IfNotExist: true}, o)

	// Onto itself only with new attributes.
	_, err = backend.CheckCopy("a", "a", backend.CopyOptions{})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = backend.CheckCopy("a", "a", backend.CopyOptions{ReplaceMetadata: true})
	assert.NoError(t, err)

	// Keys, and bad attributes.
	var be *backend.Error
	_, err = backend.CheckCopy("b", "../a", backend.CopyOptions{})
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.Equal(t, "../a", be.Key)
	_, err = backend.CheckCopy("b/", "a", backend.CopyOptions{})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = backend.CheckCopy("b", "a", backend.CopyOptions{ReplaceMetadata: true, Metadata: map[string]string{"bad key": "v"}})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = backend.CheckCopy("b", "a", backend.CopyOptions{ReplaceMetadata: true, ContentType: "no\nway"})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
}
