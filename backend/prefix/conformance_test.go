package prefix_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/backend/prefix"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// viewPrefix is the prefix of the views the suites run on.
const viewPrefix = "view/"

// neighbours are keys next to the view, in byte order around "view/", that
// every factory stores in the inner backend before it makes the view: the
// suites list the whole view and expect exactly their own keys, so a view
// that leaked one of these would fail them, and cleanup checks that none
// was changed. None is a "directory" of "view/x", which fs cannot hold.
var neighbours = []string{"a", "v", "vie", "view-", "view.x", "view0/b", "viewz", "viex/c", "zzz/d"}

// seed stores the neighbours, each holding its own name, under outer (""
// or a per-check directory) in inner.
func seed(t testing.TB, inner backend.Backend, outer string) {
	t.Helper()
	ctx := context.Background()
	for _, k := range neighbours {
		_, err := inner.Put(ctx, outer+k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))})
		require.NoError(t, err)
	}
}

// checkNeighbours checks that the neighbours are still in inner, unchanged.
func checkNeighbours(t testing.TB, inner backend.Backend, outer string) {
	t.Helper()
	ctx := context.Background()
	for _, k := range neighbours {
		info, err := inner.Stat(ctx, outer+k)
		if assert.NoError(t, err, "neighbour %q outside the view", outer+k) {
			assert.Equal(t, int64(len(k)), info.Size, "neighbour %q outside the view", outer+k)
		}
	}
}

// viewOver returns a view of inner at viewPrefix, with the neighbours
// seeded around it. The view does not own inner: cleanup first checks the
// neighbours through inner (the view may be closed by then), then closes
// inner.
func viewOver(t *testing.T, inner backend.Backend) backend.Backend {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, inner.Close()) })
	seed(t, inner, "")
	v, err := prefix.New(inner, viewPrefix)
	require.NoError(t, err)
	t.Cleanup(func() { checkNeighbours(t, inner, ""); require.NoError(t, v.Close()) })
	return v
}

func memView(t *testing.T) backend.Backend { return viewOver(t, mem.New()) }

func fsView(t *testing.T) backend.Backend {
	inner, err := fs.New(t.TempDir())
	require.NoError(t, err)
	return viewOver(t, inner)
}

// The view's keys are at most MaxKeyLen-len(prefix) bytes, so the two
// 1024-byte keys of odd-keys cannot be stored: TestOddKeys runs the rest.
var skipLongKeys = conformance.Skip("odd-keys")

func TestConformanceMem(t *testing.T) {
	conformance.Run(t, memView, skipLongKeys)
}

func TestConformanceFS(t *testing.T) {
	conformance.Run(t, fsView, skipLongKeys)
}

// TestConformanceMinIO runs the suite on views of one bucket of a real
// MinIO, each check in a directory of its own with its own neighbours,
// over a fresh driver that the view owns (CloseInner), so that the checks
// that close the backend see its connections go.
func TestConformanceMinIO(t *testing.T) {
	srv := testserver.StartMinIO(t)
	cfg := minio.Config{
		Endpoints:    []string{srv.Endpoint},
		AccessKey:    srv.AccessKey,
		SecretKey:    srv.SecretKey,
		Bucket:       "prefix-views",
		CreateBucket: true,
	}
	var n atomic.Int64
	conformance.Run(t, func(t *testing.T) backend.Backend {
		ctx := context.Background()
		outer := fmt.Sprintf("check%d/", n.Add(1))
		inner, err := minio.New(ctx, cfg)
		require.NoError(t, err)
		seed(t, inner, outer)
		v, err := prefix.New(inner, outer+viewPrefix, prefix.CloseInner())
		if err != nil {
			inner.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			// The view closed the driver: look at the neighbours with another.
			check, err := minio.New(ctx, cfg)
			require.NoError(t, err)
			defer check.Close()
			checkNeighbours(t, check, outer)
		})
		t.Cleanup(func() { require.NoError(t, v.Close()) })
		return v
	}, skipLongKeys)
}

func TestClientMem(t *testing.T) { clienttest.Run(t, memView) }

func TestClientFS(t *testing.T) { clienttest.Run(t, fsView) }

// TestOddKeys is the odd-keys check without its two 1024-byte keys, which
// the view refuses (ErrInvalidKey naming the key) as too long with its
// prefix: the rest round-trip through put, stat, get, list and remove.
func TestOddKeys(t *testing.T) {
	ctx := context.Background()
	for name, newView := range map[string]func(*testing.T) backend.Backend{"mem": memView, "fs": fsView} {
		t.Run(name, func(t *testing.T) {
			v := newView(t)
			var fit []string
			for _, k := range conformance.OddKeys() {
				if len(viewPrefix)+len(k) > backend.MaxKeyLen {
					_, err := v.Put(ctx, k, strings.NewReader("x"), backend.PutOptions{Size: 1})
					require.ErrorIs(t, err, backend.ErrInvalidKey)
					var be *backend.Error
					require.ErrorAs(t, err, &be)
					assert.Equal(t, k, be.Key)
					continue
				}
				fit = append(fit, k)
				_, err := v.Put(ctx, k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))})
				require.NoError(t, err, "%q", k)
				info, err := v.Stat(ctx, k)
				require.NoError(t, err, "%q", k)
				assert.Equal(t, k, info.Key)
				assert.Equal(t, k, readAll(t, v, k))
				page, err := v.List(ctx, backend.ListOptions{Prefix: k})
				require.NoError(t, err)
				require.NotEmpty(t, page.Objects, "%q", k)
				assert.Equal(t, k, page.Objects[0].Key)
			}
			require.Len(t, fit, len(conformance.OddKeys())-2, "only the two 1024-byte keys are too long")
			assert.Equal(t, sorted(fit), listAll(t, v, ""))
			for _, k := range fit {
				require.NoError(t, v.Remove(ctx, k))
			}
			assert.Empty(t, listAll(t, v, ""))
		})
	}
}
