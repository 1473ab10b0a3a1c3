package gocloud_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread())
}

func newMem(t *testing.T, opts ...gocloud.Option) *gocloud.Backend {
	b := gocloud.New(memblob.OpenBucket(nil), append([]gocloud.Option{gocloud.OwnBucket()}, opts...)...)
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformanceMemblob(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend { return newMem(t) })
}

// TestConformanceMemblobAzureKeys runs the key and listing checks through
// the Azure key encoding on a store that sorts by bytes: the encoding must
// keep byte order there too.
func TestConformanceMemblobAzureKeys(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return newMem(t, gocloud.WithKeyCodec(gocloud.AzureKeys))
	}, conformance.Only("list-order", "list-prefix", "list-pagination", "odd-keys", "key-prefix-of-key", "invalid-prefixes"))
}

func TestClientMemblob(t *testing.T) {
	clienttest.Run(t, func(t *testing.T) backend.Backend { return newMem(t) })
}

// TestOwnership: without OwnBucket, Close leaves the caller's bucket open.
func TestOwnership(t *testing.T) {
	ctx := context.Background()
	bucket := memblob.OpenBucket(nil)
	b := gocloud.New(bucket, gocloud.WithName("mem-bridge"))
	assert.Equal(t, "mem-bridge", b.String())
	assert.Same(t, bucket, b.Bucket())
	_, err := b.Put(ctx, "k", bytes.NewReader([]byte("v")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
	_, err = b.Stat(ctx, "k")
	require.ErrorIs(t, err, backend.ErrClosed)
	data, err := bucket.ReadAll(ctx, "k")
	require.NoError(t, err, "the caller's bucket is still open")
	assert.Equal(t, "v", string(data))
	require.NoError(t, bucket.Close())

	owned := memblob.OpenBucket(nil)
	require.NoError(t, gocloud.New(owned, gocloud.OwnBucket()).Close())
	_, err = owned.Attributes(ctx, "k")
	assert.Error(t, err, "an owned bucket is closed with the Backend")
}

// TestErrorMapping checks sentinels and that the native gocloud error is
// reachable.
func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	b := newMem(t)
	_, err := b.Stat(ctx, "missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	assert.Equal(t, gcerrors.NotFound, gcerrors.Code(err), "gcerrors.Code sees through the *backend.Error")
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "stat", be.Op)
	assert.Equal(t, "missing", be.Key)

	_, err = b.Put(ctx, "once", bytes.NewReader([]byte("1")), backend.PutOptions{Size: 1, IfNotExist: true})
	require.NoError(t, err)
	_, err = b.Put(ctx, "once", bytes.NewReader([]byte("2")), backend.PutOptions{Size: 1, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Equal(t, gcerrors.FailedPrecondition, gcerrors.Code(err))

	_, err = b.List(ctx, backend.ListOptions{Token: "!!not base64!!"})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
}

var errSource = errors.New("the source broke")

type failAfter struct {
	data []byte
	n    int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 || f.n <= 0 {
		return 0, errSource
	}
	m := copy(p, f.data[:min(len(f.data), f.n)])
	f.data, f.n = f.data[m:], f.n-m
	return m, nil
}

// TestSourceErrorNotClassified: the caller's reader failing is not a
// store failure, whatever its error.
func TestSourceErrorNotClassified(t *testing.T) {
	b := newMem(t)
	_, err := b.Put(context.Background(), "k", &failAfter{data: make([]byte, 100), n: 50}, backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, errSource)
	for _, kind := range []error{backend.ErrUnavailable, backend.ErrServerBusy, backend.ErrNotFound} {
		assert.NotErrorIs(t, err, kind)
	}
	_, err = b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound)
}

// TestListSkipsForeignNames: names the key codec cannot decode (written by
// other programs) are not listed, and do not break the listing.
func TestListSkipsForeignNames(t *testing.T) {
	ctx := context.Background()
	bucket := memblob.OpenBucket(nil)
	b := gocloud.New(bucket, gocloud.OwnBucket(), gocloud.WithKeyCodec(gocloud.AzureKeys))
	defer b.Close()
	require.NoError(t, bucket.WriteAll(ctx, "foreign$x", []byte("x"), nil))
	_, err := b.Put(ctx, "ours$x", bytes.NewReader([]byte("y")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	page, err := b.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "ours$x", page.Objects[0].Key)
	names := listNames(t, bucket)
	assert.Equal(t, []string{"foreign$x", "ours$24x"}, names, "the encoded name is stored")
}

func listNames(t *testing.T, bucket *blob.Bucket) []string {
	t.Helper()
	var names []string
	it := bucket.List(nil)
	for {
		o, err := it.Next(context.Background())
		if err == io.EOF {
			return names
		}
		require.NoError(t, err)
		names = append(names, o.Key)
	}
}
