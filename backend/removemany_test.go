package backend_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
)

// store records the keys a RemoveEach removed, and how many removes were
// in flight at most.
type store struct {
	mu        sync.Mutex
	removed   []string
	inFlight  atomic.Int32
	maxFlight atomic.Int32
	hold      time.Duration // how long one remove takes
	fail      map[string]error
}

func (s *store) remove(ctx context.Context, key string) error {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxFlight.Load()
		if n <= m || s.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(s.hold)
	if err := s.fail[key]; err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed = append(s.removed, key)
	return nil
}

func keysN(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	return keys
}

func TestRemoveEach(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()

	t.Run("every key once, concurrency bounded", func(t *testing.T) {
		s := &store{hold: 2 * time.Millisecond}
		keys := keysN(50)
		require.NoError(t, backend.RemoveEach(ctx, keys, 4, s.remove))
		assert.ElementsMatch(t, keys, s.removed)
		assert.LessOrEqual(t, s.maxFlight.Load(), int32(4))
		assert.Greater(t, s.maxFlight.Load(), int32(1), "removes run concurrently")
	})

	t.Run("concurrency below 1 means 1", func(t *testing.T) {
		s := &store{hold: time.Millisecond}
		keys := keysN(5)
		require.NoError(t, backend.RemoveEach(ctx, keys, 0, s.remove))
		assert.Equal(t, keys, s.removed, "one at a time, in order")
		assert.Equal(t, int32(1), s.maxFlight.Load())
	})

	t.Run("no keys", func(t *testing.T) {
		s := &store{}
		require.NoError(t, backend.RemoveEach(ctx, nil, 8, s.remove))
		assert.Empty(t, s.removed)
	})

	t.Run("an invalid key is reported and never blocks the others", func(t *testing.T) {
		s := &store{}
		err := backend.RemoveEach(ctx, []string{"a", "b//c", "d", "e/"}, 8, s.remove)
		require.ErrorIs(t, err, backend.ErrInvalidKey)
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		require.Len(t, errs, 2)
		for i, want := range []string{"b//c", "e/"} {
			var be *backend.Error
			require.ErrorAs(t, errs[i], &be)
			assert.Equal(t, "remove", be.Op)
			assert.Equal(t, want, be.Key)
			assert.ErrorIs(t, be, backend.ErrInvalidKey)
		}
		assert.ElementsMatch(t, []string{"a", "d"}, s.removed)
	})

	t.Run("listed keys are removed as the store listed them", func(t *testing.T) {
		s := &store{}
		keys := []string{"photos/", "photos/2026/", "a//b", "/lead", "photos/2026/a.jpg", ""}
		err := backend.RemoveEach(backend.WithListedKeys(ctx), keys, 3, s.remove)
		var be *backend.Error
		require.ErrorAs(t, err, &be, "only the empty key is refused")
		assert.ErrorIs(t, err, backend.ErrInvalidKey)
		assert.Equal(t, "", be.Key)
		assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 1)
		assert.ElementsMatch(t, keys[:5], s.removed)
	})

	t.Run("one *Error per failed key, in key order", func(t *testing.T) {
		errRaw := errors.New("raw failure")
		s := &store{fail: map[string]error{
			"k001": errRaw,
			"k003": backend.NewError("remove", "k003", backend.ErrPermission, errors.New("denied")),
		}}
		keys := keysN(5)
		err := backend.RemoveEach(ctx, keys, 3, s.remove)
		require.Error(t, err)
		require.ErrorIs(t, err, errRaw)
		require.ErrorIs(t, err, backend.ErrPermission)
		joined, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "errors.Join")
		errs := joined.Unwrap()
		require.Len(t, errs, 2)
		for i, want := range []string{"k001", "k003"} {
			var be *backend.Error
			require.ErrorAs(t, errs[i], &be)
			assert.Equal(t, "remove", be.Op)
			assert.Equal(t, want, be.Key)
		}
		assert.Same(t, s.fail["k003"], errs[1], "an *Error for the key is kept as it is")
		assert.ElementsMatch(t, []string{"k000", "k002", "k004"}, s.removed)
	})

	t.Run("keys not started when ctx ends report ctx's error", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		var calls atomic.Int32
		remove := func(ctx context.Context, key string) error {
			if calls.Add(1) == 3 {
				cancel()
			}
			return nil
		}
		keys := keysN(10)
		err := backend.RemoveEach(cctx, keys, 1, remove)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(3), calls.Load(), "remove is not called once ctx has ended")
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		require.Len(t, errs, 7)
		for i, e := range errs {
			var be *backend.Error
			require.ErrorAs(t, e, &be)
			assert.Equal(t, keys[3+i], be.Key)
		}
	})
}

func TestCheckRemoveKeys(t *testing.T) {
	ctx := context.Background()

	t.Run("all valid: the same slice, no errors", func(t *testing.T) {
		keys := []string{"a", "b/c"}
		ok, refused := backend.CheckRemoveKeys(ctx, keys)
		assert.Empty(t, refused)
		require.Len(t, ok, 2)
		assert.Same(t, &keys[0], &ok[0])
	})

	t.Run("typed keys are held to ValidateKey, each on its own", func(t *testing.T) {
		ok, refused := backend.CheckRemoveKeys(ctx, []string{"a/", "b", "c//d", "e", ""})
		assert.Equal(t, []string{"b", "e"}, ok)
		require.Len(t, refused, 3)
		for i, want := range []string{"a/", "c//d", ""} {
			var be *backend.Error
			require.ErrorAs(t, refused[i], &be)
			assert.Equal(t, want, be.Key)
			assert.Equal(t, "remove", be.Op)
			assert.ErrorIs(t, be, backend.ErrInvalidKey)
		}
	})

	t.Run("listed keys: only the empty key is refused", func(t *testing.T) {
		assert.False(t, backend.ListedKeys(ctx))
		lctx := backend.WithListedKeys(ctx)
		assert.True(t, backend.ListedKeys(lctx))
		ok, refused := backend.CheckRemoveKeys(lctx, []string{"photos/", "", "a//b", "/x", "p/../q"})
		assert.Equal(t, []string{"photos/", "a//b", "/x", "p/../q"}, ok)
		require.Len(t, refused, 1)
		assert.ErrorIs(t, refused[0], backend.ErrInvalidKey)
	})
}
