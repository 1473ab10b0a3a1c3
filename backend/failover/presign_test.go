package failover

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// TestPresignForwardsEveryMethod: each method, and its options, reach a
// live endpoint's backend; arguments no driver accepts are refused before
// any endpoint is asked.
func TestPresignForwardsEveryMethod(t *testing.T) {
	c := newFakeCluster(t, "a")
	b := presigner(t, newBackend(t, c.config()))
	ctx := context.Background()
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		u, err := b.Presign(ctx, m, "k", time.Minute, backend.PresignOptions{})
		require.NoError(t, err, m)
		assert.Equal(t, "http://a/k?"+strings.ToLower(m)+"&expiry=1m0s", u)
	}
	_, err := b.Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{ContentType: "text/plain"})
	require.NoError(t, err)
	calls := len(c.ep("a").callsOf(""))
	for _, bad := range []struct {
		method string
		expiry time.Duration
		opts   backend.PresignOptions
	}{
		{"POST", time.Minute, backend.PresignOptions{}},
		{http.MethodGet, 0, backend.PresignOptions{}},
		{http.MethodGet, time.Minute, backend.PresignOptions{ContentType: "text/plain"}},
	} {
		_, err := b.Presign(ctx, bad.method, "k", bad.expiry, bad.opts)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, "%+v", bad)
	}
	assert.Len(t, c.ep("a").callsOf(""), calls, "refused before any endpoint was asked")
}
