package metrics_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/metrics"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// Two real MinIO servers behind the failover client, one of them frozen
// (SIGSTOP) after the client is open: every operation still succeeds, and
// the wrapper counts the retries and failovers off the frozen endpoint
// and marks it down, without any wiring into the driver's configuration:
// the failover layer reports to the hook the wrapper puts in each call's
// context.
func TestFailoverOnMinIO(t *testing.T) {
	live := testserver.StartMinIO(t)
	frozen := testserver.StartMinIO(t)
	var rnd [6]byte
	_, err := rand.Read(rnd[:])
	require.NoError(t, err)

	reg := prometheus.NewRegistry()
	inner, err := minio.New(t.Context(), minio.Config{
		// The live server comes first, so that the bucket is created there.
		Endpoints:    []string{live.Endpoint, frozen.Endpoint},
		AccessKey:    live.AccessKey,
		SecretKey:    live.SecretKey,
		Bucket:       "metrics-" + hex.EncodeToString(rnd[:]),
		CreateBucket: true,
		Retry:        failover.Retry{AttemptTimeout: time.Second},
	})
	require.NoError(t, err)
	b := metrics.New(inner, reg, metrics.WithName("cluster"))
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	frozen.Stop(t)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	const n = 4
	for i := range n {
		key := fmt.Sprintf("k%d", i)
		data := strings.Repeat("x", 100+i)
		_, err := b.Put(ctx, key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		rc, _, err := b.Get(ctx, key, backend.WholeObject)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		require.Equal(t, data, string(got))
	}

	lbl := func(op string) map[string]string {
		return map[string]string{"backend": "cluster", "op": op, "outcome": "ok"}
	}
	assert.Equal(t, float64(n), value(t, reg, "objstore_operations_total", lbl("put")))
	assert.Equal(t, float64(n), value(t, reg, "objstore_operations_total", lbl("get")))
	wantBytes := float64(n*100 + n*(n-1)/2)
	assert.Equal(t, wantBytes, value(t, reg, "objstore_downloaded_bytes_total", map[string]string{"backend": "cluster"}))
	assert.GreaterOrEqual(t, value(t, reg, "objstore_uploaded_bytes_total", map[string]string{"backend": "cluster"}), wantBytes)

	retries := 0.0
	failovers := 0.0
	for _, op := range []string{"put", "get"} {
		v, _ := sample(t, reg, "objstore_retries_total", map[string]string{"backend": "cluster", "op": op, "reason": "unavailable"})
		retries += v
		v, _ = sample(t, reg, "objstore_failovers_total", map[string]string{"backend": "cluster", "op": op})
		failovers += v
	}
	assert.GreaterOrEqual(t, retries, 1.0)
	assert.GreaterOrEqual(t, failovers, 1.0)
	assert.Equal(t, 0.0, value(t, reg, "objstore_endpoint_up", map[string]string{"backend": "cluster", "endpoint": frozen.Endpoint}))
}
