package objstore_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

// TestClientPresign: the client checks the arguments once for every
// backend, guards the keys of stream objects, and forwards the rest.
func TestClientPresign(t *testing.T) {
	ctx := context.Background()
	c := objstore.New(observetest.NewFull())
	defer c.Close()
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		u, err := c.Presign(ctx, m, "a/b", time.Minute, backend.PresignOptions{})
		require.NoError(t, err, m)
		assert.Contains(t, u, "a/b")
	}
	get, err := c.PresignGet(ctx, "a/b", time.Minute)
	require.NoError(t, err)
	assert.Contains(t, get, "a/b")
	_, err = c.PresignPut(ctx, "a/b", time.Minute)
	require.NoError(t, err)

	for name, call := range map[string]func() error{
		"zero expiry": func() error { _, err := c.PresignGet(ctx, "k", 0); return err },
		"sub-second":  func() error { _, err := c.PresignPut(ctx, "k", time.Millisecond); return err },
		"POST": func() error {
			_, err := c.Presign(ctx, http.MethodPost, "k", time.Minute, backend.PresignOptions{})
			return err
		},
		"lower-case": func() error { _, err := c.Presign(ctx, "get", "k", time.Minute, backend.PresignOptions{}); return err },
		"type on a GET": func() error {
			_, err := c.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{ContentType: "text/plain"})
			return err
		},
		"type with a newline": func() error {
			_, err := c.Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{ContentType: "text/plain\nX: y"})
			return err
		},
		// A holder of these could write or remove a chunk of a stream.
		"PUT of a chunk key": func() error { _, err := c.PresignPut(ctx, "cap/eth0/eth0.0", time.Minute); return err },
		"DELETE of a chunk key": func() error {
			_, err := c.Presign(ctx, http.MethodDelete, "cap/eth0/eth0.3", time.Minute, backend.PresignOptions{})
			return err
		},
	} {
		assert.ErrorIs(t, call(), objstore.ErrInvalidArgument, name)
	}
	_, err = c.Presign(ctx, http.MethodGet, "cap/eth0/eth0.0", time.Minute, backend.PresignOptions{})
	assert.NoError(t, err, "reading a chunk through a URL breaks nothing")
	_, err = c.Presign(ctx, http.MethodHead, "/abs", time.Minute, backend.PresignOptions{})
	assert.ErrorIs(t, err, objstore.ErrInvalidKey)

	m := objstore.New(mem.New())
	defer m.Close()
	_, err = m.Presign(ctx, http.MethodHead, "k", time.Minute, backend.PresignOptions{})
	assert.ErrorIs(t, err, objstore.ErrNotSupported)
	_, err = m.Presign(ctx, http.MethodHead, "k", 0, backend.PresignOptions{})
	assert.ErrorIs(t, err, objstore.ErrInvalidArgument, "arguments first, on every backend")
}
