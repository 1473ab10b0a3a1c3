package faults_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// These tests put the fault wrapper between the retry layer (failover,
// with one endpoint) and a driver, and check that the retries stay
// correct under planned transient faults: on mem, and on a real MinIO.

// retrying returns a failover backend with one endpoint whose backend is
// plan.Wrap(driver), with millisecond backoffs.
func retrying(t *testing.T, driver backend.Backend, plan *faults.Plan) backend.Backend {
	t.Helper()
	b, err := failover.New(t.Context(), failover.Config{
		Resolve:   func(context.Context) ([]string, error) { return []string{"only:1"}, nil },
		Open:      func(context.Context, string) (backend.Backend, error) { return plan.Wrap(driver), nil },
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		ReprobeMin: time.Hour, ReprobeMax: time.Hour,
		AttemptTimeout: 30 * time.Second, StallTimeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	p := make([]byte, n)
	_, err := rand.Read(p)
	require.NoError(t, err)
	return p
}

func readAll(t *testing.T, b backend.Backend, key string) ([]byte, backend.ObjectInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data, info
}

// retryUnderFaults is the scenario both stores go through; driver is the
// raw store (no retries), which the test also reads directly.
func retryUnderFaults(t *testing.T, driver backend.Backend) {
	ctx := t.Context()
	plan := faults.NewPlan()
	b := retrying(t, driver, plan)
	data := randomBytes(t, 300<<10)

	t.Run("put cut after 100 KiB, then through", func(t *testing.T) {
		plan.Add(faults.FailBody(faults.Put, 100<<10, backend.ErrUnavailable))
		info, err := b.Put(ctx, "obj", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		assert.Equal(t, int64(len(data)), info.Size)
		got, _ := readAll(t, driver, "obj")
		assert.True(t, bytes.Equal(data, got), "the stored bytes are the source's")
		plan.AssertAllFired(t)
	})

	t.Run("put refused twice with busy", func(t *testing.T) {
		plan.Add(faults.Fail(faults.Put, backend.ErrServerBusy).Repeat(2))
		_, err := b.Put(ctx, "obj2", bytes.NewReader(data[:10]), backend.PutOptions{Size: 10})
		require.NoError(t, err)
		plan.AssertAllFired(t)
	})

	t.Run("get body broken mid-way is resumed", func(t *testing.T) {
		var resumed []faults.Call
		plan.Add(
			faults.FailBody(faults.Get, 64<<10, backend.ErrUnavailable).OnKey("obj"),
			faults.FailBody(faults.Get, 1, backend.ErrServerBusy).OnKey("obj"),
			faults.Do(faults.Get, func(_ context.Context, c faults.Call) { resumed = append(resumed, c) }).OnKey("obj"),
		)
		got, info := readAll(t, b, "obj")
		assert.True(t, bytes.Equal(data, got), "whole and right after two resumes")
		assert.Equal(t, int64(len(data)), info.Size)
		assert.Len(t, resumed, 1, "the third Get is the second resume")
		plan.AssertAllFired(t)
	})

	t.Run("get resumed against a changed object fails", func(t *testing.T) {
		plan.Add(
			faults.FailBody(faults.Get, 1000, backend.ErrUnavailable).OnKey("obj"),
			faults.Do(faults.Get, func(ctx context.Context, _ faults.Call) {
				_, err := driver.Put(ctx, "obj", bytes.NewReader(data[:5000]), backend.PutOptions{Size: 5000})
				assert.NoError(t, err)
			}).OnKey("obj"),
		)
		rc, _, err := b.Get(ctx, "obj", backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.ErrorIs(t, err, failover.ErrObjectChanged)
		assert.Equal(t, data[:1000], got, "never bytes of the new version")
		plan.AssertAllFired(t)
	})

	t.Run("listing fails once, and on its second page", func(t *testing.T) {
		var want []string
		for i := range 25 {
			k := fmt.Sprintf("list/%02d", i)
			want = append(want, k)
			_, err := driver.Put(ctx, k, bytes.NewReader(nil), backend.PutOptions{Size: 0})
			require.NoError(t, err)
		}
		plan.Add(
			faults.Fail(faults.List, backend.ErrServerBusy).OnKey("list/"),
			faults.FailPage(1, backend.ErrUnavailable).OnKey("list/"),
		)
		var got []string
		opts := backend.ListOptions{Prefix: "list/", PageSize: 10}
		for {
			page, err := b.List(ctx, opts)
			require.NoError(t, err)
			for _, o := range page.Objects {
				got = append(got, o.Key)
			}
			if opts.Token = page.NextToken; opts.Token == "" {
				break
			}
		}
		assert.Equal(t, want, got)
		plan.AssertAllFired(t)

		// The client's listing (one page here) goes through the same retries.
		plan.Add(faults.Fail(faults.List, backend.ErrServerBusy).OnKey("list/"))
		c := objstore.New(b)
		keys, err := c.ListObjects(ctx, "list/")
		require.NoError(t, err)
		assert.True(t, slices.Equal(want, keys), "%v", keys)
		plan.AssertAllFired(t)
	})

	t.Run("stat and remove retried", func(t *testing.T) {
		plan.Add(
			faults.Fail(faults.Stat, backend.ErrUnavailable),
			faults.Fail(faults.Remove, backend.ErrServerBusy),
			faults.Fail(faults.RemoveMany, backend.ErrServerBusy),
		)
		_, err := b.Stat(ctx, "obj2")
		require.NoError(t, err)
		require.NoError(t, b.Remove(ctx, "obj2"))
		require.NoError(t, b.(backend.BatchRemover).RemoveMany(ctx, []string{"list/00", "list/01"}))
		_, err = driver.Stat(ctx, "list/01")
		require.ErrorIs(t, err, backend.ErrNotFound)
		plan.AssertAllFired(t)
	})

	t.Run("a permanent error is not retried", func(t *testing.T) {
		plan.Add(faults.Fail(faults.Stat, backend.ErrPermission), faults.Fail(faults.Stat, backend.ErrPermission))
		_, err := b.Stat(ctx, "obj")
		require.ErrorIs(t, err, backend.ErrPermission)
		assert.Len(t, plan.Unfired(), 1, "one attempt only")
		plan.Reset()
	})
}

func TestRetriesUnderFaultsMem(t *testing.T) {
	retryUnderFaults(t, mem.New())
}

func TestRetriesUnderFaultsMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	var rnd [6]byte
	_, err := rand.Read(rnd[:])
	require.NoError(t, err)
	d, err := minio.NewEndpoint(t.Context(), minio.Config{
		AccessKey:    srv.AccessKey,
		SecretKey:    srv.SecretKey,
		Bucket:       "faults-" + hex.EncodeToString(rnd[:]),
		CreateBucket: true,
	}, srv.Endpoint)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	retryUnderFaults(t, d)
}
