package minio_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestIfNotExist checks create-only puts against the server's conditional
// write on every upload path.
func TestIfNotExist(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, smallParts)
	ctx := context.Background()
	create := backend.PutOptions{Size: -1, IfNotExist: true}
	paths := []struct {
		name string
		n    int
		size int64
	}{
		{"stream", 1000, 1000},                  // one streaming PUT
		{"buffered", 1000, -1},                  // one PUT from the part buffer
		{"multipart", 11 * mib, -1},             // a multipart upload
		{"multipart-known", 11 * mib, 11 * mib}, // a multipart upload of known size
	}
	for i, p := range paths {
		key := "ine/" + p.name
		first := payload(uint64(200+i), p.n)
		opts := create
		opts.Size = p.size
		_, err := d.Put(ctx, key, opaque{bytes.NewReader(first)}, opts)
		require.NoError(t, err, "%s: create of a missing key", p.name)

		second := payload(uint64(300+i), p.n)
		_, err = d.Put(ctx, key, opaque{bytes.NewReader(second)}, opts)
		require.ErrorIs(t, err, backend.ErrExist, "%s: create over an existing object", p.name)
		assert.Contains(t, err.Error(), key)

		rc, _, err := d.Get(ctx, key, backend.WholeObject)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(first, readAll(t, rc)), "%s: the first object is unchanged", p.name)
		assert.Empty(t, incompleteUploads(t, admin(t, srv), d.Bucket()), "%s: no upload left behind", p.name)
	}

	// The condition is checked again when a multipart upload completes:
	// an object created while the parts were being sent wins.
	const key = "ine/raced"
	racer := func() {
		_, err := d.Put(ctx, key, bytes.NewReader([]byte("the racer")), backend.PutOptions{Size: 9})
		require.NoError(t, err)
	}
	src := &hookAfter{r: bytes.NewReader(payload(400, 12*mib)), n: 6 * mib, hook: racer}
	_, err := d.Put(ctx, key, src, create)
	require.True(t, src.fired, "the racer ran during the upload")
	require.ErrorIs(t, err, backend.ErrExist, "completion of a create-only multipart upload over an object created meanwhile")
	rc, _, err := d.Get(ctx, key, backend.WholeObject)
	require.NoError(t, err)
	assert.Equal(t, "the racer", string(readAll(t, rc)))
	assert.Empty(t, incompleteUploads(t, admin(t, srv), d.Bucket()))
}

// hookAfter calls hook once n bytes have been delivered.
type hookAfter struct {
	r     io.Reader
	n     int
	hook  func()
	fired bool
}

func (h *hookAfter) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.n -= n; h.n <= 0 && !h.fired {
		h.fired = true
		h.hook()
	}
	return n, err
}
