package backend_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{nil, 0, false},
		{http.Header{}, 0, false},
		{http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{http.Header{"Retry-After": {" 2 "}}, 2 * time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After": {"0"}}, 0, false},
		{http.Header{"Retry-After": {"-3"}}, 0, false},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0, false},
		{http.Header{"X-Ms-Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}, 1500 * time.Millisecond, true},
		{http.Header{"Retry-After-Ms": {"250"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After": {"1e300"}}, time.Duration(1<<63 - 1), true},
	}
	for _, c := range cases {
		d, ok := backend.RetryAfterHeader(c.header, now)
		assert.Equal(t, c.ok, ok, "%v", c.header)
		assert.Equal(t, c.want, d, "%v", c.header)
	}
}

// sdkBusy is an SDK error that knows its own Retry-After.
type sdkBusy struct{ d time.Duration }

func (e sdkBusy) Error() string             { return "sdk: throttled" }
func (e sdkBusy) RetryAfter() time.Duration { return e.d }

func TestRetryAfterOfAnError(t *testing.T) {
	h := http.Header{"Retry-After": {"3"}}
	busy := backend.NewError("get", "k", backend.ErrServerBusy, errors.New("503 SlowDown")).WithRetryAfter(h)
	assert.Equal(t, 3*time.Second, busy.RetryAfter)
	d, ok := backend.RetryAfter(fmt.Errorf("layer: %w", busy))
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)
	assert.ErrorIs(t, busy, backend.ErrServerBusy)
	assert.Equal(t, `objstore: get "k": server busy or failing: 503 SlowDown; the store asks to retry after 3s (retry later or reduce the request rate)`, busy.Error())

	// Only busy answers carry it.
	denied := backend.NewError("get", "k", backend.ErrPermission, errors.New("403")).WithRetryAfter(h)
	assert.Zero(t, denied.RetryAfter)
	_, ok = backend.RetryAfter(denied)
	assert.False(t, ok)
	_, ok = backend.RetryAfter(nil)
	assert.False(t, ok)

	// A layer above keeps it, and says it once.
	outer := backend.NewError("read", "k", nil, busy)
	assert.Equal(t, 3*time.Second, outer.RetryAfter)
	assert.Equal(t, 1, strings.Count(outer.Error(), "retry after 3s"), outer.Error())
	// A layer of another kind does not claim it, but the chain has it.
	other := backend.NewError("open", "", backend.ErrInvalidArgument, busy)
	assert.Zero(t, other.RetryAfter)
	d, ok = backend.RetryAfter(other)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)

	// An SDK's own RetryAfter() method is found too.
	d, ok = backend.RetryAfter(backend.NewError("put", "k", backend.ErrServerBusy, sdkBusy{time.Second}))
	require.True(t, ok)
	assert.Equal(t, time.Second, d)
	d, ok = backend.RetryAfter(errors.Join(errors.New("x"), sdkBusy{2 * time.Second}))
	require.True(t, ok)
	assert.Equal(t, 2*time.Second, d)
}
