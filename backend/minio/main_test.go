package minio_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"testing"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/backend/minio"
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

// baseConfig is a Config for srv with a fresh bucket that is created on
// open and removed (with everything in it) on cleanup.
func baseConfig(t testing.TB, srv *testserver.MinIO) minio.Config {
	t.Helper()
	cfg := minio.Config{
		Endpoints:    []string{srv.Endpoint},
		AccessKey:    srv.AccessKey,
		SecretKey:    srv.SecretKey,
		Bucket:       bucketName(t),
		CreateBucket: true,
	}
	adm := admin(t, srv)
	t.Cleanup(func() { dropBucket(t, adm, cfg.Bucket) })
	return cfg
}

// openDriver opens the raw driver of srv on a fresh bucket; mod, if not
// nil, adjusts the Config first. The driver is closed on cleanup.
func openDriver(t testing.TB, srv *testserver.MinIO, mod func(*minio.Config)) *minio.Driver {
	t.Helper()
	cfg := baseConfig(t, srv)
	if mod != nil {
		mod(&cfg)
	}
	d, err := minio.NewEndpoint(context.Background(), cfg, srv.Endpoint)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// admin returns a minio-go client of srv, independent of the driver, to
// look at what the server really holds. Its connections are closed on
// cleanup.
func admin(t testing.TB, srv *testserver.MinIO) *miniogo.Client {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := miniogo.New(srv.Endpoint, &miniogo.Options{
		Creds:     credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
		Region:    srv.Region,
		Transport: tr,
	})
	require.NoError(t, err)
	return c
}

// dropBucket removes a test bucket with its objects and incomplete
// uploads. It does not fail the test when the bucket is already gone (or
// the server was killed by the test).
func dropBucket(t testing.TB, c *miniogo.Client, bucket string) {
	ctx := context.Background()
	if ok, err := c.BucketExists(ctx, bucket); err != nil || !ok {
		return
	}
	_ = c.RemoveBucketWithOptions(ctx, bucket, miniogo.RemoveBucketOptions{ForceDelete: true})
}

// incompleteUploads lists the multipart uploads of bucket that were
// neither completed nor aborted.
func incompleteUploads(t testing.TB, c *miniogo.Client, bucket string) []string {
	t.Helper()
	var out []string
	for u := range c.ListIncompleteUploads(context.Background(), bucket, "", true) {
		require.NoError(t, u.Err)
		out = append(out, u.Key+" "+u.UploadID)
	}
	return out
}

// payload returns n pseudo-random bytes from seed.
func payload(seed uint64, n int) []byte {
	r := mrand.New(mrand.NewPCG(seed, seed^math.MaxUint32))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// opaque hides every method of a reader but Read, so that nothing can
// learn its size or seek it.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }

// readAll reads a Get whole and closes it.
func readAll(t testing.TB, rc io.ReadCloser) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := io.Copy(&buf, rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	return buf.Bytes()
}
