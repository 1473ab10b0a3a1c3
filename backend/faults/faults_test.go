package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

func put(t *testing.T, b backend.Backend, key, data string) {
	t.Helper()
	_, err := b.Put(context.Background(), key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
}

func TestFailReturnsTheErrorWithoutCallingInner(t *testing.T) {
	inner := mem.New()
	b, plan := faults.New(inner, faults.Fail(faults.Put, backend.ErrServerBusy))
	_, err := b.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrServerBusy)
	require.ErrorIs(t, err, faults.ErrInjected)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "put", be.Op)
	assert.Equal(t, "k", be.Key)
	_, err = inner.Stat(t.Context(), "k")
	require.ErrorIs(t, err, backend.ErrNotFound, "nothing stored")
	put(t, b, "k", "x") // the fault fired once and left the queue
	plan.AssertAllFired(t)

	// A fault's own *backend.Error keeps its kind; any other error is the
	// cause of one.
	custom := errors.New("disk on fire")
	plan.Add(faults.Fail(faults.Stat, custom), faults.Fail(faults.Remove, backend.NewError("x", "y", backend.ErrPermission, nil)))
	_, err = b.Stat(t.Context(), "k")
	require.ErrorIs(t, err, custom)
	assert.Contains(t, err.Error(), "disk on fire (injected fault)")
	require.ErrorIs(t, b.Remove(t.Context(), "k"), backend.ErrPermission)
}

func TestQueuesKeysSkipsAndRepeats(t *testing.T) {
	b, plan := faults.New(mem.New())
	put(t, b, "a", "1")
	put(t, b, "b", "2")
	plan.Add(
		faults.Fail(faults.Stat, backend.ErrUnavailable).OnKey("b").Repeat(2),
		faults.Fail(faults.Stat, backend.ErrServerBusy).Skip(1),
		faults.Fail(faults.Get, backend.ErrServerBusy).Repeat(faults.Forever),
	)
	stat := func(k string) error { _, err := b.Stat(t.Context(), k); return err }
	require.NoError(t, stat("a"), "skipped by the first fault (key b), let through by the second (Skip 1)")
	require.ErrorIs(t, stat("b"), backend.ErrUnavailable)
	require.ErrorIs(t, stat("a"), backend.ErrServerBusy)
	require.ErrorIs(t, stat("b"), backend.ErrUnavailable)
	require.NoError(t, stat("b"))
	require.NoError(t, stat("a"))
	for range 3 {
		_, _, err := b.Get(t.Context(), "a", backend.WholeObject)
		require.ErrorIs(t, err, backend.ErrServerBusy)
	}
	assert.Empty(t, plan.Unfired(), "a Forever fault counts once it fired")
	plan.Reset()
	_, _, err := b.Get(t.Context(), "a", backend.WholeObject)
	require.NoError(t, err)
}

func TestBodyFaults(t *testing.T) {
	inner := mem.New()
	b, plan := faults.New(inner)
	put(t, b, "k", "old")

	// A Put whose body breaks after 3 bytes fails and leaves the old object.
	plan.Add(faults.FailBody(faults.Put, 3, backend.ErrUnavailable))
	var read atomic.Int64
	src := &countingReader{r: strings.NewReader("new bytes"), n: &read}
	_, err := b.Put(t.Context(), "k", src, backend.PutOptions{Size: 9})
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Equal(t, int64(3), read.Load(), "the inner Put read 3 bytes of the caller's reader")
	rc, _, err := inner.Get(t.Context(), "k", backend.WholeObject)
	require.NoError(t, err)
	data, _ := io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, "old", string(data))

	// A Get body breaks after 2 bytes, also when the object is shorter
	// than planned (the fault fires at its end).
	plan.Add(faults.FailBody(faults.Get, 2, backend.ErrUnavailable), faults.FailBody(faults.Get, 100, backend.ErrServerBusy))
	for _, want := range []struct {
		data string
		err  error
	}{{"ol", backend.ErrUnavailable}, {"old", backend.ErrServerBusy}} {
		rc, info, err := b.Get(t.Context(), "k", backend.WholeObject)
		require.NoError(t, err)
		assert.Equal(t, int64(3), info.Size)
		data, err := io.ReadAll(rc)
		require.ErrorIs(t, err, want.err)
		assert.Equal(t, want.data, string(data))
		require.NoError(t, rc.Close())
	}
	plan.AssertAllFired(t)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestListPageFault(t *testing.T) {
	b, plan := faults.New(mem.New())
	for i := range 5 {
		put(t, b, fmt.Sprintf("p/%d", i), "x")
	}
	plan.Add(faults.FailPage(2, backend.ErrServerBusy).OnKey("p/"))
	opts := backend.ListOptions{Prefix: "p/", PageSize: 2}
	var pages int
	for {
		page, err := b.List(t.Context(), opts)
		if err != nil {
			require.ErrorIs(t, err, backend.ErrServerBusy)
			break
		}
		pages++
		opts.Token = page.NextToken
		require.NotEmpty(t, opts.Token)
	}
	assert.Equal(t, 2, pages, "the third page failed")
	plan.AssertAllFired(t)
}

// Delays wait on the clock (a fake one under synctest) and end with the
// call's context.
func TestDelayAndCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, plan := faults.New(mem.New())
		var calls []faults.Call
		plan.Add(
			faults.Slow(faults.Put, time.Minute).WithBefore(func(_ context.Context, c faults.Call) { calls = append(calls, c) }),
			faults.Slow(faults.Stat, time.Hour),
		)
		start := time.Now()
		put(t, b, "k", "x")
		assert.Equal(t, time.Minute, time.Since(start))
		assert.Equal(t, []faults.Call{{Op: faults.Put, Key: "k", N: 1}}, calls)

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := b.Stat(ctx, "k")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Minute+time.Second, time.Since(start))
		plan.AssertAllFired(t)
	})
}

type recordingTB struct {
	msgs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestAssertAllFiredNamesWhatDidNotFire(t *testing.T) {
	b, plan := faults.New(mem.New(),
		faults.Fail(faults.Stat, backend.ErrUnavailable),
		faults.FailBody(faults.Get, 10, backend.ErrServerBusy).OnKey("x").Repeat(2),
		faults.Slow(faults.Remove, time.Millisecond),
	)
	_, _ = b.Stat(t.Context(), "k")
	var tb recordingTB
	plan.AssertAllFired(&tb)
	require.Len(t, tb.msgs, 1)
	assert.Contains(t, tb.msgs[0], "2 planned fault(s) did not fire")
	assert.Contains(t, tb.msgs[0], `get "x": body fails after 10 bytes with server busy or failing, 2 times`)
	assert.Contains(t, tb.msgs[0], "remove: delay 1ms, go through")
	assert.Len(t, plan.Unfired(), 2)
}

func TestInvalidFaultsPanic(t *testing.T) {
	for _, f := range []faults.Fault{
		{},
		faults.FailBody(faults.Stat, 1, backend.ErrUnavailable),
		{Op: faults.Get, Body: true},
		faults.Fail(faults.Put, backend.ErrUnavailable).Repeat(-2),
	} {
		assert.Panics(t, func() { faults.NewPlan(f) }, "%v", f)
	}
}

// The optional capabilities of the inner backend are there, and take
// faults of their own.
func TestCapabilitiesTakeFaults(t *testing.T) {
	b, plan := faults.New(observetest.NewFull(),
		faults.Fail(faults.RemoveMany, backend.ErrServerBusy),
		faults.Fail(faults.Health, backend.ErrUnavailable),
		faults.Fail(faults.Presign, backend.ErrPermission).OnKey("k"),
		faults.Fail(faults.SetExpiry, backend.ErrServerBusy).OnKey("logs/"),
		faults.Fail(faults.Expiry, backend.ErrServerBusy),
	)
	ctx := t.Context()
	br, ok := b.(backend.BatchRemover)
	require.True(t, ok)
	require.ErrorIs(t, br.RemoveMany(ctx, []string{"a"}), backend.ErrServerBusy)
	require.NoError(t, br.RemoveMany(ctx, []string{"a"}))
	_, err := b.(backend.HealthChecker).Health(ctx)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	p := b.(backend.Presigner)
	_, err = p.Presign(ctx, "GET", "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrPermission)
	assert.Contains(t, err.Error(), "presign-get")
	_, err = p.Presign(ctx, "GET", "k", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	l := b.(backend.Lifecycler)
	require.ErrorIs(t, l.SetExpiry(ctx, "logs/", 3), backend.ErrServerBusy)
	require.NoError(t, l.SetExpiry(ctx, "logs/", 3))
	_, err = l.Expiry(ctx)
	require.ErrorIs(t, err, backend.ErrServerBusy)
	plan.AssertAllFired(t)

	// Over mem (a BatchRemover only) the wrapper claims nothing else.
	m, _ := faults.New(mem.New())
	_, ok = m.(backend.Presigner)
	assert.False(t, ok)
	_, ok = backend.As[backend.Lifecycler](m)
	assert.False(t, ok)
	_, ok = m.(backend.BatchRemover)
	assert.True(t, ok)
	assert.Equal(t, "faults(mem)", fmt.Sprint(m))
}
