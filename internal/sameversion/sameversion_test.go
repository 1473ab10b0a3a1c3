package sameversion_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/sameversion"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rounds returns a Round that reports the object replaced for the first
// replaced rounds and then opens it, and a pointer to its call count.
func rounds(replaced int) (sameversion.Round, *int) {
	calls := 0
	return func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, bool, error) {
		calls++
		if calls <= replaced {
			return nil, backend.ObjectInfo{}, false, nil
		}
		return io.NopCloser(strings.NewReader("data")), backend.ObjectInfo{Key: key, Size: 4}, true, nil
	}, &calls
}

// requireGetErr requires an *backend.Error of the Get of "k" that
// unwraps to kind.
func requireGetErr(t *testing.T, err error, kind error) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, [2]string{"get", "k"}, [2]string{be.Op, be.Key})
}

func TestGetFirstRound(t *testing.T) {
	var g backend.Guard
	round, calls := rounds(0)
	rc, info, err := sameversion.Get(context.Background(), &g, "k", backend.WholeObject, round)
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "data", string(data))
	assert.Equal(t, backend.ObjectInfo{Key: "k", Size: 4}, info)
	assert.Equal(t, 1, *calls)
}

func TestGetAfterReplacements(t *testing.T) {
	var g backend.Guard
	round, calls := rounds(3)
	rc, _, err := sameversion.Get(context.Background(), &g, "k", backend.WholeObject, round)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, 4, *calls)
}

func TestGetReplacedEveryRound(t *testing.T) {
	var g backend.Guard
	round, calls := rounds(sameversion.Attempts)
	rc, _, err := sameversion.Get(context.Background(), &g, "k", backend.WholeObject, round)
	assert.Nil(t, rc)
	requireGetErr(t, err, backend.ErrServerBusy)
	assert.Equal(t, sameversion.Attempts, *calls)
}

func TestGetRoundError(t *testing.T) {
	var g backend.Guard
	cause := backend.NewError("get", "k", backend.ErrPermission, errors.New("denied"))
	calls := 0
	_, _, err := sameversion.Get(context.Background(), &g, "k", backend.WholeObject,
		func(context.Context, string, backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, bool, error) {
			calls++
			return nil, backend.ObjectInfo{}, false, cause
		})
	assert.Same(t, cause, err, "round's error as it returned it")
	assert.Equal(t, 1, calls, "an error is not retried")
}

func TestGetGuardFirst(t *testing.T) {
	round, calls := rounds(0)
	var g backend.Guard
	_, _, err := sameversion.Get(context.Background(), &g, "k", backend.GetOptions{Offset: -1}, round)
	requireGetErr(t, err, backend.ErrInvalidArgument)
	g.Close()
	_, _, err = sameversion.Get(context.Background(), &g, "k", backend.WholeObject, round)
	requireGetErr(t, err, backend.ErrClosed)
	assert.Zero(t, *calls, "no round before the checks pass")
}

func TestGetCancelledBetweenRounds(t *testing.T) {
	var g backend.Guard
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	start := time.Now()
	_, _, err := sameversion.Get(ctx, &g, "k", backend.WholeObject,
		func(context.Context, string, backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, bool, error) {
			calls++
			if calls == 2 {
				cancel()
			}
			return nil, backend.ObjectInfo{}, false, nil
		})
	requireGetErr(t, err, context.Canceled)
	assert.Equal(t, 2, calls, "no round once ctx has ended")
	assert.Less(t, time.Since(start), time.Second)
}
