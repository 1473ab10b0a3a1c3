package s3test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// CheckLifecycle sets, replaces and removes expiry rules through b, a
// Lifecycler on a new bucket, and checks them through Expiry and, with
// rules, on the server itself: rules returns the bucket's rules as a
// plain client reads them, "prefix=days", sorted. With rules nil, the
// server has no lifecycle API (versitygw) and both calls must give
// ErrNotSupported.
func CheckLifecycle(t *testing.T, b backend.Backend, rules func(t *testing.T) []string) {
	ctx := context.Background()
	l, ok := backend.As[backend.Lifecycler](b)
	require.True(t, ok, "a Lifecycler")
	if rules == nil {
		assert.ErrorIs(t, l.SetExpiry(ctx, "logs/", 7), backend.ErrNotSupported)
		_, err := l.Expiry(ctx)
		assert.ErrorIs(t, err, backend.ErrNotSupported)
		return
	}

	got, err := l.Expiry(ctx)
	require.NoError(t, err)
	assert.Empty(t, got, "a new bucket has no rules")

	require.NoError(t, l.SetExpiry(ctx, "logs/", 3))
	require.NoError(t, l.SetExpiry(ctx, "tmp/", 1))
	got, err = l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 3, "tmp/": 1}, got)
	assert.Equal(t, []string{"logs/=3", "tmp/=1"}, rules(t), "the rules are really on the server")

	require.NoError(t, l.SetExpiry(ctx, "logs/", 30), "replace a rule")
	require.NoError(t, l.SetExpiry(ctx, "tmp/", 0), "remove a rule")
	got, err = l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 30}, got)
	assert.Equal(t, []string{"logs/=30"}, rules(t))

	require.NoError(t, l.SetExpiry(ctx, "logs/", 0))
	got, err = l.Expiry(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	assert.ErrorIs(t, l.SetExpiry(ctx, "x/", -1), backend.ErrInvalidArgument)
	assert.ErrorIs(t, l.SetExpiry(ctx, "../", 1), backend.ErrInvalidKey)
}
