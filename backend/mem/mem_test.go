package mem_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b := mem.New()
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// TestConformanceNamed runs the suite on stores opened by URL: a named
// store is as conformant as a fresh one.
func TestConformanceNamed(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b, err := backend.Open(t.Context(), "mem://conformance-"+t.Name())
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		return b
	}, conformance.Short())
}

func put(t *testing.T, b backend.Backend, key, data string) {
	t.Helper()
	_, err := b.Put(t.Context(), key, bytes.NewReader([]byte(data)), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
}

func get(t *testing.T, b backend.Backend, key string) string {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(data)
}

func TestOpenFresh(t *testing.T) {
	ctx := t.Context()
	a, err := backend.Open(ctx, "mem://")
	require.NoError(t, err)
	defer a.Close()
	b, err := backend.Open(ctx, "mem://")
	require.NoError(t, err)
	defer b.Close()
	require.IsType(t, &mem.Backend{}, a)

	put(t, a, "k", "in a")
	_, err = b.Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrNotFound, "each mem:// is a fresh store")
}

func TestOpenNamedIsShared(t *testing.T) {
	ctx := t.Context()
	a, err := backend.Open(ctx, "mem://shared-"+t.Name())
	require.NoError(t, err)
	b, err := backend.Open(ctx, "mem://shared-"+t.Name())
	require.NoError(t, err)
	c := mem.Named("shared-" + t.Name())
	other, err := backend.Open(ctx, "mem://other-"+t.Name())
	require.NoError(t, err)

	put(t, a, "k", "written through a")
	assert.Equal(t, "written through a", get(t, b, "k"))
	assert.Equal(t, "written through a", get(t, c, "k"), "Named and Open share the store")
	_, err = other.Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrNotFound, "another name is another store")

	// Handles close independently, and a named store outlives its handles.
	require.NoError(t, a.Close())
	_, err = a.Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrClosed)
	assert.Equal(t, "written through a", get(t, b, "k"), "closing one handle leaves the others open")
	put(t, b, "k2", "after a closed")
	require.NoError(t, b.Close())
	require.NoError(t, c.Close())

	again, err := backend.Open(ctx, "mem://shared-"+t.Name())
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, "written through a", get(t, again, "k"), "a named store keeps its objects when every handle is closed")
	assert.Equal(t, "after a closed", get(t, again, "k2"))
}

func TestOpenNamedWithPath(t *testing.T) {
	// mem://host/path names the store "host/path".
	ctx := t.Context()
	a, err := backend.Open(ctx, "mem://team/"+t.Name())
	require.NoError(t, err)
	defer a.Close()
	put(t, a, "k", "v")
	assert.Equal(t, "v", get(t, mem.Named("team/"+t.Name()), "k"))
	_, err = mem.Named("team").Stat(ctx, "k")
	assert.ErrorIs(t, err, backend.ErrNotFound)
}

// TestNoAliasing: the store copies on Put and on Get, so callers can reuse
// and modify their buffers.
func TestNoAliasing(t *testing.T) {
	ctx := t.Context()
	b := mem.New()
	defer b.Close()
	src := []byte("original")
	_, err := b.Put(ctx, "k", bytes.NewReader(src), backend.PutOptions{Size: int64(len(src))})
	require.NoError(t, err)
	copy(src, "CHANGED!")
	assert.Equal(t, "original", get(t, b, "k"))

	rc, _, err := b.Get(ctx, "k", backend.WholeObject)
	require.NoError(t, err)
	buf, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	copy(buf, "CHANGED!")
	assert.Equal(t, "original", get(t, b, "k"))

	// Metadata maps are copies too.
	_, err = b.Put(ctx, "m", bytes.NewReader(nil), backend.PutOptions{Size: 0, Metadata: map[string]string{"a": "1"}})
	require.NoError(t, err)
	info, err := b.Stat(ctx, "m")
	require.NoError(t, err)
	info.Metadata["a"] = "2"
	_, info, err = b.Get(ctx, "m", backend.WholeObject)
	require.NoError(t, err)
	assert.Equal(t, "1", info.Metadata["a"])
}

// TestBodiesNeedNoVerification: a get reads the bytes Put checksummed,
// which an overwrite does not touch, so the body carries the
// backend.ChecksumVerified mark and the client does not digest it again.
func TestBodiesNeedNoVerification(t *testing.T) {
	ctx := t.Context()
	b := mem.New()
	defer b.Close()
	_, err := b.Put(ctx, "k", bytes.NewReader([]byte("first")), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	rc, info, err := b.Get(ctx, "k", backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	assert.Implements(t, (*backend.ChecksumVerified)(nil), rc)
	_, err = b.Put(ctx, "k", bytes.NewReader([]byte("other")), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "first", string(data), "an overwrite leaves the bytes of a body being read")
	assert.True(t, info.Checksum.Equal(backend.ChecksumOf(backend.CRC32C, data)))
}

func TestRemoveMany(t *testing.T) {
	ctx := t.Context()
	b := mem.New()
	defer b.Close()
	for _, k := range []string{"a", "b", "c"} {
		put(t, b, k, k)
	}
	br, ok := backend.As[backend.BatchRemover](b)
	require.True(t, ok)
	require.NoError(t, br.RemoveMany(ctx, []string{"a", "c", "missing"}))
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "b", page.Objects[0].Key)

	put(t, b, "d", "d")
	err = br.RemoveMany(ctx, []string{"d", "bad//key"})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = b.Stat(ctx, "d")
	assert.ErrorIs(t, err, backend.ErrNotFound, "an invalid key is reported on its own and does not stop the others")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, br.RemoveMany(cctx, []string{"b"}), context.Canceled)
}
