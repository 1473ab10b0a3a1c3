package gcs_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/conformance/clienttest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, testserver.IgnoreSpawnThread())
}

// bucketName returns a fresh, valid bucket name.
func bucketName(t testing.TB) string {
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "objstore-test-" + hex.EncodeToString(b[:])
}

// openFresh opens a new, empty bucket on srv with the raw driver
// (NewDriver: one attempt per operation) and a client of the backend's
// own, closed on cleanup.
func openFresh(t testing.TB, srv *testserver.FakeGCS, cfg gcs.Config) *gcs.Backend {
	t.Helper()
	b, err := gcs.NewDriver(context.Background(), freshConfig(t, srv, cfg))
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// openNew is openFresh through New: the driver in the retry layer.
func openNew(t testing.TB, srv *testserver.FakeGCS, cfg gcs.Config) backend.Backend {
	t.Helper()
	b, err := gcs.New(context.Background(), freshConfig(t, srv, cfg))
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// freshConfig is cfg on a new bucket of srv, created on open.
func freshConfig(t testing.TB, srv *testserver.FakeGCS, cfg gcs.Config) gcs.Config {
	cfg.Bucket = bucketName(t)
	cfg.CreateBucket = true
	cfg.ProjectID = "objstore-test"
	if cfg.Client == nil {
		cfg.Endpoint = srv.URL + "/storage/v1/"
		cfg.Anonymous = true
	}
	return cfg
}

// callerClient returns a storage client made the way a user would make
// one for the emulator (XML reads, the library's default), closed on
// cleanup.
func callerClient(t testing.TB, srv *testserver.FakeGCS) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(context.Background(),
		option.WithEndpoint(srv.URL+"/storage/v1/"), option.WithoutAuthentication())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestConformance runs the shared suite through New (the driver in the
// retry layer) and through the raw driver, each check on a fresh bucket.
func TestConformance(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	t.Run("New", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) backend.Backend {
			return openNew(t, srv, gcs.Config{})
		})
	})
	t.Run("NewDriver", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) backend.Backend {
			return openFresh(t, srv, gcs.Config{})
		})
	})
}

// TestConformanceSmallChunks runs the checks that stream a lot of data
// with 256 KiB chunks, so that every such put is a resumable upload of
// many requests: cancellation, failing readers and create-only puts are
// then checked between chunks, not only on single-request uploads.
func TestConformanceSmallChunks(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openFresh(t, srv, gcs.Config{ChunkSize: 256 << 10})
	}, conformance.Only("large-unknown-size", "size-mismatch", "put-cancelled", "put-failing-reader",
		"if-not-exist", "if-not-exist-race", "concurrent-same-key",
		"if-match", "if-match-race", "if-match-multipart", "conditional-get"))
}

// TestConformanceCallerClient runs the checks that read with a caller's
// client, which reads through the XML API (the library's default).
func TestConformanceCallerClient(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	client := callerClient(t, srv)
	conformance.Run(t, func(t *testing.T) backend.Backend {
		return openFresh(t, srv, gcs.Config{Client: client})
	}, conformance.Only("round-trip", "range-read", "zero-byte", "metadata-round-trip", "odd-keys", "get-closed-early", "closed"))
}

func TestClient(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	clienttest.Run(t, func(t *testing.T) backend.Backend {
		return openNew(t, srv, gcs.Config{})
	})
}

// TestCallerClientStaysOpen: Close of a Backend must not close a client
// it was given.
func TestCallerClientStaysOpen(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	client := callerClient(t, srv)
	b := openFresh(t, srv, gcs.Config{Client: client})
	require.NoError(t, b.Close())
	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrClosed)

	b2 := openFresh(t, srv, gcs.Config{Client: client})
	_, err = b2.Put(context.Background(), "k", stringsReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err, "the client must still work after the first Backend closed")
	require.Same(t, client, b2.Client())
}

func TestMissingBucketProject(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	_, err := gcs.New(context.Background(), gcs.Config{
		Bucket: bucketName(t), CreateBucket: true,
		Endpoint: srv.URL + "/storage/v1/", Anonymous: true,
	})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	require.Contains(t, err.Error(), "project")
}

func TestNewInvalidConfig(t *testing.T) {
	for name, cfg := range map[string]gcs.Config{
		"no bucket":            {},
		"negative chunk":       {Bucket: "b", ChunkSize: -1},
		"negative concurrency": {Bucket: "b", RemoveConcurrency: -1},
		"negative attempts":    {Bucket: "b", Retry: failover.Retry{MaxAttempts: -1}},
		"negative timeout":     {Bucket: "b", Retry: failover.Retry{AttemptTimeout: -1}},
		"backoff upside down":  {Bucket: "b", Retry: failover.Retry{BaseDelay: time.Second, MaxDelay: time.Millisecond}},
	} {
		_, err := gcs.New(context.Background(), cfg)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, name)
	}
}

// unsetCredentials makes sure no test finds real credentials.
func unsetCredentials(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	os.Unsetenv("GOOGLE_APPLICATION_CREDENTIALS")
	t.Setenv("HOME", t.TempDir()) // no gcloud ADC file
}
