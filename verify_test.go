package objstore_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// flipping is a backend whose Get flips one byte of every body, as a
// damaged disk or a broken proxy would.
type flipping struct{ backend.Backend }

func (f flipping) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := f.Backend.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, info, err
	}
	if len(data) > 0 {
		data[len(data)/2] ^= 1
	}
	return io.NopCloser(bytes.NewReader(data)), info, nil
}

func TestFullReadsVerifyTheChecksum(t *testing.T) {
	ctx := t.Context()
	m := mem.New()
	data := bytes.Repeat([]byte("packet "), 10_000)
	good := objstore.New(m)
	_, err := good.PutObject(ctx, "cap", bytes.NewReader(data), nil)
	require.NoError(t, err)
	st, err := good.StatObject(ctx, "cap")
	require.NoError(t, err)
	assert.True(t, st.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, data)), "StatObject returns the checksum: %s", st.Checksum)

	c := objstore.New(flipping{m})
	reads := map[string]func() (io.ReadCloser, error){
		"GetObject": func() (io.ReadCloser, error) { return c.GetObject(ctx, "cap") },
		"GetObjectWith": func() (io.ReadCloser, error) {
			rc, _, err := c.GetObjectWith(ctx, "cap", backend.WholeObject)
			return rc, err
		},
		"OpenObject": func() (io.ReadCloser, error) { return c.OpenObject(ctx, "cap") },
		"FS":         func() (io.ReadCloser, error) { return c.FS(ctx, "").Open("cap") },
	}
	for name, open := range reads {
		rc, err := open()
		require.NoError(t, err, name)
		_, err = io.ReadAll(rc)
		rc.Close()
		assert.ErrorIs(t, err, objstore.ErrCorrupt, "%s of a damaged object", name)
	}
	// A ranged read is not verified (the store keeps a checksum of the
	// whole object only); it returns what the store sent.
	rc, err := c.GetObjectRange(ctx, "cap", 10, 100)
	require.NoError(t, err)
	_, err = io.ReadAll(rc)
	rc.Close()
	assert.NoError(t, err)
}
