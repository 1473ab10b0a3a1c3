package backend_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestCheckPut(t *testing.T) {
	r := strings.NewReader("x")
	opts, err := backend.CheckPut("k", r, backend.PutOptions{Size: 1, Metadata: map[string]string{"A": "b"}})
	require.NoError(t, err)
	assert.Equal(t, backend.PutOptions{Size: 1, ContentType: backend.DefaultContentType, Metadata: map[string]string{"a": "b"}}, opts)

	opts, err = backend.CheckPut("k", r, backend.PutOptions{Size: -1, ContentType: "text/plain", IfNotExist: true})
	require.NoError(t, err)
	assert.Equal(t, backend.PutOptions{Size: -1, ContentType: "text/plain", IfNotExist: true}, opts)

	for name, c := range map[string]struct {
		key  string
		r    io.Reader
		opts backend.PutOptions
		want error
	}{
		"invalid key":          {"a//b", r, backend.PutOptions{Size: 1}, backend.ErrInvalidKey},
		"nil reader":           {"k", nil, backend.PutOptions{Size: 0}, backend.ErrInvalidArgument},
		"size below -1":        {"k", r, backend.PutOptions{Size: -2}, backend.ErrInvalidArgument},
		"invalid metadata":     {"k", r, backend.PutOptions{Size: 1, Metadata: map[string]string{"a b": "c"}}, backend.ErrInvalidArgument},
		"invalid content type": {"k", r, backend.PutOptions{Size: 1, ContentType: "text/plain\r\nX: y"}, backend.ErrInvalidArgument},
	} {
		_, err := backend.CheckPut(c.key, c.r, c.opts)
		assert.ErrorIs(t, err, c.want, name)
		var be *backend.Error
		if assert.ErrorAs(t, err, &be, name) {
			assert.Equal(t, "put", be.Op, name)
			assert.Equal(t, c.key, be.Key, name)
		}
	}
	// The key is checked first: an invalid key with a nil reader is a key error.
	_, err = backend.CheckPut("", nil, backend.PutOptions{Size: -5})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
}

func TestCheckGet(t *testing.T) {
	assert.NoError(t, backend.CheckGet("k", backend.WholeObject))
	assert.NoError(t, backend.CheckGet("k", backend.GetOptions{}))
	assert.NoError(t, backend.CheckGet("k", backend.GetOptions{Offset: 1 << 40, Length: 5}))
	assert.ErrorIs(t, backend.CheckGet("k", backend.GetOptions{Offset: -1}), backend.ErrInvalidArgument)
	assert.ErrorIs(t, backend.CheckGet("/k", backend.WholeObject), backend.ErrInvalidKey)
	err := backend.CheckGet("k", backend.GetOptions{Offset: -7})
	assert.Contains(t, err.Error(), `objstore: get "k": invalid argument: offset -7 is negative`)
}

func TestCheckList(t *testing.T) {
	for in, want := range map[int]int{0: backend.DefaultPageSize, 1: 1, 999: 999, 1000: 1000, 1001: backend.DefaultPageSize, 1 << 30: backend.DefaultPageSize} {
		opts, err := backend.CheckList(backend.ListOptions{Prefix: "a/", PageSize: in, Token: "t"})
		require.NoError(t, err)
		assert.Equal(t, backend.ListOptions{Prefix: "a/", PageSize: want, Token: "t"}, opts, "page size %d", in)
	}
	_, err := backend.CheckList(backend.ListOptions{PageSize: -1})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = backend.CheckList(backend.ListOptions{Prefix: "../"})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
}

func TestResolveRange(t *testing.T) {
	cases := []struct {
		size, offset, length int64
		wantOff, wantLen     int64
	}{
		{100, 0, -1, 0, 100},
		{100, 0, 10, 0, 10},
		{100, 40, 20, 40, 20},
		{100, 90, -1, 90, 10},
		{100, 95, 100, 95, 5}, // cut at the end
		{100, 100, -1, 100, 0},
		{100, 100, 7, 100, 0},
		{100, 5, 0, 5, 0},
		{100, 0, 1 << 62, 0, 100},
		{0, 0, -1, 0, 0},
		{0, 0, 10, 0, 0},
	}
	for _, c := range cases {
		off, n, err := backend.ResolveRange("k", c.size, backend.GetOptions{Offset: c.offset, Length: c.length})
		require.NoError(t, err, "%+v", c)
		assert.Equal(t, [2]int64{c.wantOff, c.wantLen}, [2]int64{off, n}, "%+v", c)
	}
	for _, c := range [][2]int64{{100, 101}, {0, 1}, {100, 1 << 62}} {
		_, _, err := backend.ResolveRange("k", c[0], backend.GetOptions{Offset: c[1], Length: -1})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "size %d, offset %d", c[0], c[1])
		assert.Contains(t, err.Error(), "past the end")
	}
}

func TestExactReader(t *testing.T) {
	data := []byte("0123456789")
	t.Run("exact", func(t *testing.T) {
		got, err := io.ReadAll(backend.ExactReader("k", bytes.NewReader(data), 10))
		require.NoError(t, err)
		assert.Equal(t, data, got)
		// Also through the standard reader tests (small reads, EOF behaviour).
		require.NoError(t, iotest.TestReader(backend.ExactReader("k", bytes.NewReader(data), 10), data))
	})
	t.Run("unknown size passes through", func(t *testing.T) {
		src := bytes.NewReader(data)
		assert.Same(t, src, backend.ExactReader("k", src, -1).(*bytes.Reader))
	})
	t.Run("empty", func(t *testing.T) {
		got, err := io.ReadAll(backend.ExactReader("k", bytes.NewReader(nil), 0))
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("fewer bytes", func(t *testing.T) {
		_, err := io.ReadAll(backend.ExactReader("k", bytes.NewReader(data), 11))
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Contains(t, err.Error(), "after 10 of 11 bytes")
	})
	t.Run("more bytes", func(t *testing.T) {
		_, err := io.ReadAll(backend.ExactReader("k", bytes.NewReader(data), 9))
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "more than the declared size of 9")
		_, err = io.ReadAll(backend.ExactReader("k", bytes.NewReader(data), 0))
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	})
	t.Run("an uploader that stops at size sees the extra bytes", func(t *testing.T) {
		// The Read that delivers the last declared byte already fails.
		n, err := backend.ExactReader("k", bytes.NewReader(data), 9).Read(make([]byte, 9))
		assert.Equal(t, 9, n)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		// io.ReadFull drops an error that comes with enough bytes, so the
		// error must stay: the uploader's next Read, looking for the end,
		// fails too, also when exactly one byte was extra.
		for _, src := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), bytes.NewReader(data[:10])} {
			r := backend.ExactReader("k", src, 9)
			buf := make([]byte, 9)
			_, _ = io.ReadFull(r, buf)
			assert.Equal(t, data[:9], buf)
			for range 3 {
				_, err = r.Read(make([]byte, 10))
				assert.ErrorIs(t, err, backend.ErrInvalidArgument)
			}
		}
	})
	t.Run("the reader's own error is kept", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := io.ReadAll(backend.ExactReader("k", io.MultiReader(bytes.NewReader(data[:3]), iotest.ErrReader(boom)), 10))
		assert.ErrorIs(t, err, boom)
		assert.NotErrorIs(t, err, backend.ErrInvalidArgument)
		// Also when the error comes from the probe for extra bytes.
		_, err = io.ReadAll(backend.ExactReader("k", io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), 10))
		assert.ErrorIs(t, err, boom)
	})
	t.Run("data and EOF in one read", func(t *testing.T) {
		got, err := io.ReadAll(backend.ExactReader("k", iotest.DataErrReader(bytes.NewReader(data)), 10))
		require.NoError(t, err)
		assert.Equal(t, data, got)
		_, err = io.ReadAll(backend.ExactReader("k", iotest.DataErrReader(bytes.NewReader(data)), 12))
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	})
}

func TestContextReader(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	r := backend.ContextReader(ctx, strings.NewReader("abcdef"))
	buf := make([]byte, 3)
	n, err := r.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(buf[:n]))
	cancel()
	_, err = r.Read(buf)
	assert.ErrorIs(t, err, context.Canceled)
}
