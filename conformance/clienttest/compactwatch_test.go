package clienttest

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Defect tests: the compaction and watch checks fail on a backend with a
// deliberate defect, so they can catch one.

// hideKeys is mem whose listings leave out the keys hide returns true for.
type hideKeys struct {
	backend.Backend
	hide func(key string) bool
}

func (h *hideKeys) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	page, err := h.Backend.List(ctx, opts)
	var kept []backend.ObjectInfo
	for _, o := range page.Objects {
		if !h.hide(o.Key) {
			kept = append(kept, o)
		}
	}
	page.Objects = kept
	return page, err
}

// corruptGet returns, for one key, other bytes of the same length.
type corruptGet struct {
	backend.Backend
	key string
}

func (c *corruptGet) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := c.Backend.Get(ctx, key, opts)
	if err != nil || key != c.key {
		return rc, info, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, info, err
	}
	// Without the stored checksum, as on a store that keeps none: the
	// client cannot tell, and the check must.
	info.Checksum = backend.Checksum{}
	return io.NopCloser(strings.NewReader(strings.Repeat("#", len(data)))), info, nil
}

func compactDefect(t *testing.T, wrap func(backend.Backend) backend.Backend) error {
	ctx := testContext(t)
	b := mem.New()
	t.Cleanup(func() { b.Close() })
	const name, n = "d/cap", 50
	want, err := putRawChunks(ctx, b, name, n, nil)
	require.NoError(t, err)
	return checkCompact(ctx, newClient(wrap(b)), name, "d/out", want, n, nil)
}

func TestCompactCheckCatchesDefects(t *testing.T) {
	require.NoError(t, compactDefect(t, func(b backend.Backend) backend.Backend { return b }), "the healthy backend passes")

	// The last chunk missing from listings: nothing tells the client that
	// the stream was longer; the check sees the short object.
	err := compactDefect(t, func(b backend.Backend) backend.Backend {
		return &hideKeys{Backend: b, hide: func(k string) bool { return k == "d/cap/cap.49" }}
	})
	require.Error(t, err)
	t.Log(err)

	err = compactDefect(t, func(b backend.Backend) backend.Backend { return &corruptGet{Backend: b, key: "d/cap/cap.7"} })
	require.ErrorContains(t, err, "differ")

	// A middle chunk missing from listings: the client refuses the gap.
	err = compactDefect(t, func(b backend.Backend) backend.Backend {
		return &hideKeys{Backend: b, hide: func(k string) bool { return k == "d/cap/cap.20" }}
	})
	require.ErrorContains(t, err, "missing chunk 20")
}

func TestWatchCheckCatchesDefects(t *testing.T) {
	ctx := testContext(t)
	healthy := mem.New()
	t.Cleanup(func() { healthy.Close() })
	require.NoError(t, checkWatchEvents(ctx, newClient(healthy), 5*time.Second), "the healthy backend passes")

	// A listing that misses one key: its event never comes.
	b := mem.New()
	t.Cleanup(func() { b.Close() })
	err := checkWatchEvents(ctx, newClient(&hideKeys{Backend: b, hide: func(k string) bool { return k == "w/b/c" }}), 500*time.Millisecond)
	require.ErrorContains(t, err, "created w/b/c")
	t.Log(err)

	// A listing that ignores the prefix: objects outside it show up.
	b2 := mem.New()
	t.Cleanup(func() { b2.Close() })
	err = checkWatchEvents(ctx, newClient(&widePrefix{Backend: b2}), 500*time.Millisecond)
	require.Error(t, err)
	t.Log(err)
}

// widePrefix lists "w" when asked for "w/", as a driver with an
// off-by-one prefix would.
type widePrefix struct{ backend.Backend }

func (w *widePrefix) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts.Prefix = strings.TrimSuffix(opts.Prefix, "/")
	return w.Backend.List(ctx, opts)
}
