package s3test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// CheckHealth checks the health report of b, a HealthChecker on one
// endpoint, the server whose process is srv: live and ready while it
// runs; not live, within the caller's deadline, while it hangs
// (SIGSTOP), and again live once resumed; not live once killed. A sick
// endpoint is reported in its entry, not as an error; after Close,
// Health gives ErrClosed. The check kills the server and closes b.
//
// b is a raw driver: the failover layer's Health gives an error when the
// caller's deadline ends (check that with CheckHealthy).
func CheckHealth(t *testing.T, b backend.Backend, srv *testserver.Process, endpoint string) {
	ctx := context.Background()
	h := CheckHealthy(t, b, endpoint)

	// A hung server: not live, within the caller's deadline.
	srv.Stop(t)
	sctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	start := time.Now()
	hs, err := h.Health(sctx)
	cancel()
	srv.Cont(t)
	require.NoError(t, err, "a sick endpoint is reported in the entry, not as an error")
	require.Len(t, hs, 1)
	assert.False(t, hs[0].Live)
	assert.False(t, hs[0].Ready)
	assert.ErrorIs(t, hs[0].Err, backend.ErrUnavailable)
	assert.Less(t, time.Since(start), 5*time.Second)

	// Back again once resumed.
	hs, err = h.Health(ctx)
	require.NoError(t, err)
	require.Len(t, hs, 1)
	assert.True(t, hs[0].Live && hs[0].Ready, "after SIGCONT: %+v", hs[0])

	// A dead server: refused.
	srv.Kill(t)
	hs, err = h.Health(ctx)
	require.NoError(t, err)
	require.Len(t, hs, 1)
	assert.False(t, hs[0].Live)
	assert.ErrorIs(t, hs[0].Err, backend.ErrUnavailable)

	require.NoError(t, b.Close())
	_, err = h.Health(ctx)
	assert.ErrorIs(t, err, backend.ErrClosed)
}

// CheckHealthy checks that b, a HealthChecker on one running endpoint,
// reports it live and ready, and returns the HealthChecker.
func CheckHealthy(t *testing.T, b backend.Backend, endpoint string) backend.HealthChecker {
	t.Helper()
	h, ok := backend.As[backend.HealthChecker](b)
	require.True(t, ok, "a HealthChecker")
	hs, err := h.Health(context.Background())
	require.NoError(t, err)
	require.Len(t, hs, 1)
	assert.Equal(t, endpoint, hs[0].Endpoint)
	assert.True(t, hs[0].Live)
	assert.True(t, hs[0].Ready)
	assert.NoError(t, hs[0].Err)
	assert.Positive(t, hs[0].Latency)
	return h
}
