package backend_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// body is a store's answer: its bytes, an error it fails with after them
// instead of io.EOF (a broken connection, or a library's end-of-body check
// such as a CRC mismatch), and a record of what was done to it.
type body struct {
	r        io.Reader
	endErr   error // returned instead of io.EOF, if set
	closeErr error
	atEnd    bool // a Read reached the end of the bytes
	closed   int
}

func newBody(data []byte) *body { return &body{r: bytes.NewReader(data)} }

func (b *body) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.atEnd = true
		if b.endErr != nil {
			return n, b.endErr
		}
	}
	return n, err
}

func (b *body) Close() error { b.closed++; return b.closeErr }

var errNative = errors.New("native SDK error")

// classifyNative maps errNative to ErrServerBusy, as a driver's
// classifier maps its SDK's errors.
func classifyNative(err error) error {
	if errors.Is(err, errNative) {
		return backend.ErrServerBusy
	}
	return nil
}

// requireGetError requires an *backend.Error of the Get of "k".
func requireGetError(t *testing.T, err error, kind error) *backend.Error {
	t.Helper()
	return requireOpKey(t, err, kind, "get", "k")
}

func TestExactRange(t *testing.T) {
	data := []byte("0123456789")

	t.Run("exact", func(t *testing.T) {
		b := newBody(data)
		r := backend.ExactRange("k", b, 10, classifyNative)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, data, got)
		assert.True(t, b.atEnd, "the body is read to its end before io.EOF")
		require.NoError(t, r.Close())
		assert.Equal(t, 1, b.closed)
		require.NoError(t, iotest.TestReader(backend.ExactRange("k", newBody(data), 10, classifyNative), data))
	})

	t.Run("empty range", func(t *testing.T) {
		got, err := io.ReadAll(backend.ExactRange("k", newBody(nil), 0, classifyNative))
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("short body", func(t *testing.T) {
		r := backend.ExactRange("k", newBody(data[:6]), 10, classifyNative)
		got, err := io.ReadAll(r)
		assert.Equal(t, data[:6], got, "the bytes that came are delivered")
		requireGetError(t, err, backend.ErrUnavailable)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.NotErrorIs(t, err, backend.ErrInvalidArgument, "a broken download is not the caller's mistake")
		assert.Contains(t, err.Error(), "6 of 10 bytes")
		_, again := r.Read(make([]byte, 4))
		assert.Equal(t, err, again, "errors are sticky")
	})

	t.Run("long body", func(t *testing.T) {
		// The extra byte is noticed in the Read that delivers the last
		// expected one, before the caller could take the data as complete.
		n, err := backend.ExactRange("k", newBody(data), 9, classifyNative).Read(make([]byte, 9))
		assert.Equal(t, 9, n)
		requireGetError(t, err, backend.ErrUnavailable)
		assert.NotErrorIs(t, err, io.ErrUnexpectedEOF)
	})

	t.Run("error at the end of the body", func(t *testing.T) {
		// A library that checks a CRC when its body ends reports a
		// mismatch instead of io.EOF: the caller must see it, although
		// every byte of the range came.
		b := newBody(data)
		b.endErr = errNative
		got, err := io.ReadAll(backend.ExactRange("k", b, 10, classifyNative))
		assert.Equal(t, data, got)
		requireGetError(t, err, backend.ErrServerBusy)
		require.ErrorIs(t, err, errNative)
	})

	t.Run("body error mid-way", func(t *testing.T) {
		r := backend.ExactRange("k", io.NopCloser(iotest.ErrReader(errNative)), 10, classifyNative)
		_, err := r.Read(make([]byte, 4))
		requireGetError(t, err, backend.ErrServerBusy)
		require.ErrorIs(t, err, errNative)
	})

	t.Run("unclassified body error", func(t *testing.T) {
		other := errors.New("something else")
		_, err := io.ReadAll(backend.ExactRange("k", io.NopCloser(iotest.ErrReader(other)), 10, classifyNative))
		be := requireGetError(t, err, other)
		assert.Nil(t, be.Kind, "no sentinel fits")
	})

	t.Run("close error", func(t *testing.T) {
		b := newBody(data)
		b.closeErr = errNative
		err := backend.ExactRange("k", b, 10, classifyNative).Close()
		requireGetError(t, err, backend.ErrServerBusy)
		require.ErrorIs(t, err, errNative)
	})

	t.Run("negative length reads nothing", func(t *testing.T) {
		_, err := io.ReadAll(backend.ExactRange("k", newBody(data), -1, classifyNative))
		requireGetError(t, err, backend.ErrUnavailable)
	})
}
