package backend_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// requireOpKey requires err to be an *backend.Error for op and key that
// unwraps to kind, and returns it.
func requireOpKey(t *testing.T, err error, kind error, op, key string) *backend.Error {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, op, be.Op)
	assert.Equal(t, key, be.Key)
	return be
}

// requireAll calls every check of g with ctx and valid arguments, and
// requires each to fail with kind, for its own operation and key.
func requireAll(t *testing.T, g *backend.Guard, ctx context.Context, kind error) {
	t.Helper()
	requireOpKey(t, g.Ready(ctx, "stat", "k"), kind, "stat", "k")
	requireOpKey(t, g.Key(ctx, "remove", "k"), kind, "remove", "k")
	requireOpKey(t, g.Get(ctx, "k", backend.WholeObject), kind, "get", "k")
	_, err := g.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	requireOpKey(t, err, kind, "put", "k")
	_, err = g.List(ctx, backend.ListOptions{Prefix: "p/"})
	requireOpKey(t, err, kind, "list", "p/")
}

// requireArgsFirst requires every check of g to report invalid arguments
// before anything else.
func requireArgsFirst(t *testing.T, g *backend.Guard, ctx context.Context) {
	t.Helper()
	requireOpKey(t, g.Key(ctx, "stat", "/k"), backend.ErrInvalidKey, "stat", "/k")
	requireOpKey(t, g.Get(ctx, "k", backend.GetOptions{Offset: -1}), backend.ErrInvalidArgument, "get", "k")
	_, err := g.Put(ctx, "k", nil, backend.PutOptions{})
	requireOpKey(t, err, backend.ErrInvalidArgument, "put", "k")
	_, err = g.List(ctx, backend.ListOptions{Prefix: "../"})
	requireOpKey(t, err, backend.ErrInvalidKey, "list", "../")
}

func TestGuard(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	var g backend.Guard
	assert.False(t, g.Closed(), "the zero value is open")
	require.NoError(t, g.Ready(ctx, "stat", "k"))
	require.NoError(t, g.Key(ctx, "stat", "k"))
	require.NoError(t, g.Get(ctx, "k", backend.WholeObject))
	opts, err := g.Put(ctx, "k", strings.NewReader("x"), backend.PutOptions{Size: 1, Metadata: map[string]string{"A": "b"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "b"}, opts.Metadata, "the options as CheckPut normalised them")
	assert.Equal(t, backend.DefaultContentType, opts.ContentType)
	lopts, err := g.List(ctx, backend.ListOptions{Prefix: "p/"})
	require.NoError(t, err)
	assert.Equal(t, backend.DefaultPageSize, lopts.PageSize)

	requireAll(t, &g, cancelled, context.Canceled)
	requireArgsFirst(t, &g, cancelled)

	assert.True(t, g.Close(), "the first Close closes")
	assert.False(t, g.Close(), "a second Close reports that it was closed already")
	assert.True(t, g.Closed())

	requireAll(t, &g, ctx, backend.ErrClosed)
	requireArgsFirst(t, &g, ctx)
	assert.False(t, errors.Is(g.Ready(cancelled, "stat", "k"), context.Canceled), "ErrClosed comes before ctx's error")
}

func TestClassifier(t *testing.T) {
	c := backend.Classifier(classifyNative)
	require.NoError(t, c.Error("stat", "k", nil))

	err := c.Error("stat", "k", errNative)
	requireOpKey(t, err, backend.ErrServerBusy, "stat", "k")
	require.ErrorIs(t, err, errNative, "the native error stays reachable")

	other := errors.New("other")
	err = c.Error("put", "k", other)
	be := requireOpKey(t, err, other, "put", "k")
	assert.Nil(t, be.Kind, "no sentinel fits")
	assert.Same(t, other, be.Err)
}
