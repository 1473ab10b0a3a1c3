// Package retrytest checks that the retry layer stays correct over a
// driver that fails: each check puts the retry layer (backend/failover,
// one endpoint) over the fault wrapper (backend/faults) over a real
// driver, plans transient faults (an error instead of a call, a body that
// breaks after N bytes, a listing that fails on its first call and in its
// middle), and checks that the data read back is exact, that nothing
// short or mixed is ever stored or returned, and that every planned fault
// fired.
//
// A driver's test is a few lines, in an external test package:
//
//	func TestRetriesUnderFaults(t *testing.T) {
//		retrytest.Run(t, func(t *testing.T) backend.Backend {
//			b, err := fs.New(t.TempDir())
//			require.NoError(t, err)
//			t.Cleanup(func() { b.Close() })
//			return b
//		})
//	}
//
// The factory returns the raw driver (no retries of its own: the failover
// layer's retries are under test) on a fresh, empty namespace, and
// registers its own cleanup; the check closes the failover layer, which
// closes the driver once more, so Close must be idempotent, as the
// conformance suite requires. The checks read and write a few hundred KiB
// and take well under a second each on a local server.
//
// Two more checks take a real server behind internal/faultproxy's proxies
// instead of the fault wrapper: CheckLayer, a driver's retry layer (what
// its New returns) under busy and permanent answers, cut and stalled
// downloads, hangs and refused connections; and CheckRetryAfter, a raw
// driver's error for an answer with a Retry-After, and the retry layer
// and the rate limiter waiting for it.
//
// It is not part of package conformance because it needs backend/failover,
// whose own tests use package conformance.
package retrytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
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
)

// Size is the size of the object the checks put and read.
const Size = 300 << 10

// Check is one check of Run, named after its subtest.
type Check struct {
	Name string
	fn   func(t *testing.T, s *setup)
}

// Checks lists the checks of Run, in order.
var Checks = []Check{
	{"put-refused", putRefused},
	{"put-cut", putCut},
	{"put-cut-unseekable", putCutUnseekable},
	{"get-refused", getRefused},
	{"get-body-broken", getBodyBroken},
	{"get-object-changed", getObjectChanged},
	{"list-faults", listFaults},
	{"stat-remove", statRemove},
	{"permanent-not-retried", permanentNotRetried},
}

// Run runs every check as a subtest of t, one after the other, each on a
// driver newDriver returns for that subtest.
func Run(t *testing.T, newDriver func(t *testing.T) backend.Backend) {
	t.Helper()
	for _, c := range Checks {
		t.Run(c.Name, func(t *testing.T) {
			driver := newDriver(t)
			if driver == nil {
				t.Fatal("the driver factory returned nil")
			}
			s := newSetup(t, driver)
			c.fn(t, s)
			s.plan.AssertAllFired(t)
		})
	}
}

// setup is one check's stack: retry layer -> faults -> driver.
type setup struct {
	driver backend.Backend // the raw driver, to look behind the layers
	plan   *faults.Plan
	b      backend.Backend // failover over plan.Wrap(driver)
	data   []byte
}

func newSetup(t *testing.T, driver backend.Backend) *setup {
	t.Helper()
	plan := faults.NewPlan()
	b, err := failover.New(t.Context(), failover.Config{
		Resolve: func(context.Context) ([]string, error) { return []string{"driver:1"}, nil },
		Open:    func(context.Context, string) (backend.Backend, error) { return plan.Wrap(driver), nil },
		// Millisecond backoffs; no background re-probe during a check.
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		ReprobeMin: time.Hour, ReprobeMax: time.Hour,
		AttemptTimeout: 30 * time.Second, StallTimeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	data := make([]byte, Size)
	_, err = rand.Read(data)
	require.NoError(t, err)
	return &setup{driver: driver, plan: plan, b: b, data: data}
}

// put stores data at key through the raw driver.
func (s *setup) put(t *testing.T, key string, data []byte) {
	t.Helper()
	_, err := s.driver.Put(t.Context(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
}

// exact checks that key holds want, read through b.
func exact(t *testing.T, b backend.Backend, key string, want []byte) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key, backend.WholeObject)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.Equal(t, int64(len(want)), info.Size)
	require.Equal(t, len(want), len(got), "length read back")
	require.Equal(t, sha256.Sum256(want), sha256.Sum256(got), "the bytes read back differ from the bytes put")
}

// opaque hides every method of a reader but Read: it cannot be rewound.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }

// A put refused twice with busy and once with unavailable is sent again
// and stored whole.
func putRefused(t *testing.T, s *setup) {
	s.plan.Add(
		faults.Fail(faults.Put, backend.ErrServerBusy).Repeat(2),
		faults.Fail(faults.Put, backend.ErrUnavailable),
	)
	info, err := s.b.Put(t.Context(), "obj", bytes.NewReader(s.data), backend.PutOptions{Size: Size})
	require.NoError(t, err)
	assert.Equal(t, int64(Size), info.Size)
	exact(t, s.driver, "obj", s.data)
}

// A put whose body breaks after 100 KiB is sent again from byte 0 (the
// reader seeks back), and the stored bytes are the source's.
func putCut(t *testing.T, s *setup) {
	s.plan.Add(
		faults.FailBody(faults.Put, 100<<10, backend.ErrUnavailable),
		faults.FailBody(faults.Put, 1, backend.ErrServerBusy),
	)
	info, err := s.b.Put(t.Context(), "obj", bytes.NewReader(s.data), backend.PutOptions{Size: Size})
	require.NoError(t, err)
	assert.Equal(t, int64(Size), info.Size)
	exact(t, s.driver, "obj", s.data)
}

// A put whose body breaks, from a reader that cannot be rewound, fails
// with ErrNotRewindable and stores nothing: never a short object.
func putCutUnseekable(t *testing.T, s *setup) {
	s.plan.Add(faults.FailBody(faults.Put, 100<<10, backend.ErrUnavailable))
	_, err := s.b.Put(t.Context(), "obj", opaque{bytes.NewReader(s.data)}, backend.PutOptions{Size: Size})
	require.ErrorIs(t, err, failover.ErrNotRewindable)
	require.ErrorIs(t, err, backend.ErrUnavailable)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "put", be.Op)
	assert.Equal(t, "obj", be.Key)
	_, err = s.driver.Stat(t.Context(), "obj")
	require.ErrorIs(t, err, backend.ErrNotFound, "a broken put stores nothing")
}

// A get refused with busy, then unavailable, is retried and reads whole.
func getRefused(t *testing.T, s *setup) {
	s.put(t, "obj", s.data)
	s.plan.Add(
		faults.Fail(faults.Get, backend.ErrServerBusy).OnKey("obj"),
		faults.Fail(faults.Get, backend.ErrUnavailable).OnKey("obj"),
	)
	exact(t, s.b, "obj", s.data)
}

// A get body broken twice is resumed (ranged, against the same ETag) and
// reads whole: never short data with a clean EOF.
func getBodyBroken(t *testing.T, s *setup) {
	s.put(t, "obj", s.data)
	var resumes []faults.Call
	s.plan.Add(
		faults.FailBody(faults.Get, 64<<10, backend.ErrUnavailable).OnKey("obj"),
		faults.FailBody(faults.Get, 1, backend.ErrServerBusy).OnKey("obj"),
		faults.Do(faults.Get, func(_ context.Context, c faults.Call) { resumes = append(resumes, c) }).OnKey("obj"),
	)
	exact(t, s.b, "obj", s.data)
	assert.Len(t, resumes, 1, "the third Get is the second resume")
}

// A get whose body breaks while the object is replaced fails with
// ErrObjectChanged, having returned only bytes of the first version.
func getObjectChanged(t *testing.T, s *setup) {
	s.put(t, "obj", s.data)
	s.plan.Add(
		faults.FailBody(faults.Get, 1000, backend.ErrUnavailable).OnKey("obj"),
		faults.Do(faults.Get, func(ctx context.Context, _ faults.Call) {
			_, err := s.driver.Put(ctx, "obj", bytes.NewReader(s.data[:5000]), backend.PutOptions{Size: 5000})
			assert.NoError(t, err)
		}).OnKey("obj"),
	)
	rc, _, err := s.b.Get(t.Context(), "obj", backend.WholeObject)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.ErrorIs(t, err, failover.ErrObjectChanged)
	assert.Equal(t, s.data[:1000], got, "never bytes of the new version")
}

// A listing that fails on its first call and on its second page lists
// every key once, in order, page by page and through the client.
func listFaults(t *testing.T, s *setup) {
	var want []string
	for i := range 25 {
		k := fmt.Sprintf("list/%02d", i)
		want = append(want, k)
		s.put(t, k, []byte(k))
	}
	s.plan.Add(
		faults.Fail(faults.List, backend.ErrServerBusy).OnKey("list/"),
		faults.FailPage(1, backend.ErrUnavailable).OnKey("list/"),
	)
	var got []string
	opts := backend.ListOptions{Prefix: "list/", PageSize: 10}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "the listing does not end")
		page, err := s.b.List(t.Context(), opts)
		require.NoError(t, err)
		for _, o := range page.Objects {
			got = append(got, o.Key)
		}
		if opts.Token = page.NextToken; opts.Token == "" {
			break
		}
	}
	assert.Equal(t, want, got)
	s.plan.AssertAllFired(t)

	s.plan.Add(faults.FailPage(0, backend.ErrServerBusy).OnKey("list/"))
	keys, err := objstore.New(s.b).ListObjects(t.Context(), "list/")
	require.NoError(t, err)
	assert.True(t, slices.Equal(want, keys), "%v", keys)
}

// Stat, Remove and RemoveMany (where the driver has it) refused once are
// retried and take effect.
func statRemove(t *testing.T, s *setup) {
	for _, k := range []string{"a", "b", "c"} {
		s.put(t, k, []byte(k))
	}
	s.plan.Add(
		faults.Fail(faults.Stat, backend.ErrUnavailable).OnKey("a"),
		faults.Fail(faults.Remove, backend.ErrServerBusy).OnKey("a"),
	)
	info, err := s.b.Stat(t.Context(), "a")
	require.NoError(t, err)
	assert.Equal(t, int64(1), info.Size)
	require.NoError(t, s.b.Remove(t.Context(), "a"))
	if _, ok := backend.As[backend.BatchRemover](s.driver); ok {
		s.plan.Add(faults.Fail(faults.RemoveMany, backend.ErrServerBusy))
	}
	require.NoError(t, s.b.(backend.BatchRemover).RemoveMany(t.Context(), []string{"b", "c"}))
	for _, k := range []string{"a", "b", "c"} {
		_, err := s.driver.Stat(t.Context(), k)
		require.ErrorIs(t, err, backend.ErrNotFound, k)
	}
}

// A permanent error is returned at once, never retried.
func permanentNotRetried(t *testing.T, s *setup) {
	s.put(t, "obj", s.data[:10])
	s.plan.Add(
		faults.Fail(faults.Stat, backend.ErrPermission).OnKey("obj"),
		faults.Fail(faults.Get, backend.ErrNotFound).OnKey("obj"),
	)
	_, err := s.b.Stat(t.Context(), "obj")
	require.ErrorIs(t, err, backend.ErrPermission)
	_, _, err = s.b.Get(t.Context(), "obj", backend.WholeObject)
	require.ErrorIs(t, err, backend.ErrNotFound)
	// Had either been retried, the next call would have gone through
	// to a fault planned for it: none is left, and the object is there.
	exact(t, s.b, "obj", s.data[:10])
}
