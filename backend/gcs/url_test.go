package gcs_test

import (
	"context"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestOpenWithEmulatorHost opens gs:// URLs with STORAGE_EMULATOR_HOST set
// and no credentials anywhere, as a user's test would.
func TestOpenWithEmulatorHost(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	unsetCredentials(t)
	t.Setenv("STORAGE_EMULATOR_HOST", srv.Endpoint)
	ctx := context.Background()
	name := bucketName(t)
	b, err := backend.Open(ctx, "gs://"+name+"?create_bucket=true&project=p&chunk_size=262144")
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, "gs://"+name, b.(interface{ String() string }).String())

	_, err = b.Put(ctx, "hello", stringsReader("world"), backend.PutOptions{Size: 5})
	require.NoError(t, err)
	rc, info, err := b.Get(ctx, "hello", backend.WholeObject)
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, "world", string(data))
	assert.Equal(t, int64(5), info.Size)

	// A second URL on the same bucket sees the object, without creating.
	b2, err := backend.Open(ctx, "gs://"+name)
	require.NoError(t, err)
	defer b2.Close()
	_, err = b2.Stat(ctx, "hello")
	require.NoError(t, err)
}

func TestConfigFromURL(t *testing.T) {
	parse := func(s string) (gcs.Config, error) {
		u, err := url.Parse(s)
		require.NoError(t, err)
		return gcs.ConfigFromURL(u)
	}
	cfg, err := parse("gs://bkt?create_bucket=true&project=proj&chunk_size=1048576&max_attempts=3&endpoint=http://h:1/storage/v1/&anonymous=1" +
		"&attempt_timeout=2s&stall_timeout=1m&max_elapsed=90s")
	require.NoError(t, err)
	assert.Equal(t, gcs.Config{Bucket: "bkt", CreateBucket: true, ProjectID: "proj", ChunkSize: 1 << 20,
		Retry:    failover.Retry{MaxAttempts: 3, AttemptTimeout: 2 * time.Second, StallTimeout: time.Minute, MaxElapsed: 90 * time.Second},
		Endpoint: "http://h:1/storage/v1/", Anonymous: true}, cfg)

	for _, bad := range []string{
		"gs://",                        // no bucket
		"gs://bkt/path",                // a path
		"gs://user:secret@bkt",         // credentials
		"gs://bkt?unknown=1",           // typo
		"gs://bkt?create_bucket=maybe", // not a bool
		"gs://bkt?chunk_size=0",        // not positive
		"gs://bkt?project=a&project=b", // twice
		"gs://bkt?max_attempts=0",      // not positive
		"gs://bkt?stall_timeout=30",    // no unit
		"gs://bkt?base_delay=1s",       // not a URL parameter
		"s3://bkt",                     // wrong scheme
	} {
		_, err := parse(bad)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "secret", bad)
	}
}
