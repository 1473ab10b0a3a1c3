package minio_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestConformance runs the conformance suite on the raw driver of one
// endpoint, each check on a fresh bucket.
func TestConformance(t *testing.T) {
	srv := testserver.StartMinIO(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openDriver(t, srv, nil)
	})
}

// TestConformanceSmallParts runs the suite with the smallest part size and
// two parts in flight, so that every object over 5 MiB is a multipart
// upload of the driver's own.
func TestConformanceSmallParts(t *testing.T) {
	srv := testserver.StartMinIO(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openDriver(t, srv, func(c *minio.Config) {
			c.PartSize = minio.MinPartSize
			c.Concurrency = 2
		})
	}, conformance.Only("large-unknown-size", "size-mismatch", "put-cancelled", "put-failing-reader",
		"if-not-exist", "if-not-exist-race", "metadata-round-trip", "concurrent-same-key",
		"if-match", "if-match-race", "if-match-multipart", "conditional-get"))
}

// TestConformanceNew runs the suite on what users get from New and from
// minio:// URLs: the driver behind the failover wrapper.
func TestConformanceNew(t *testing.T) {
	srv := testserver.StartMinIO(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openNew(t, srv, nil)
	})
}

// TestClient runs the client suite on New.
func TestClient(t *testing.T) {
	srv := testserver.StartMinIO(t)
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		return openNew(t, srv, nil)
	})
}

// openNew opens New on a fresh bucket of srv, closed on cleanup.
func openNew(t testing.TB, srv *testserver.MinIO, mod func(*minio.Config)) backend.Backend {
	t.Helper()
	cfg := baseConfig(t, srv)
	if mod != nil {
		mod(&cfg)
	}
	b, err := minio.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}
