package minio_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestHealth runs s3test.CheckHealth on the raw driver.
func TestHealth(t *testing.T) {
	srv := testserver.StartMinIO(t)
	s3test.CheckHealth(t, openDriver(t, srv, nil), srv.Process, srv.Endpoint)
}

// TestPresign runs s3test.CheckPresignRoundTrip on the raw driver.
func TestPresign(t *testing.T) {
	srv := testserver.StartMinIO(t)
	s3test.CheckPresignRoundTrip(t, openDriver(t, srv, nil), srv.SecretKey)
}

// TestLifecycle runs s3test.CheckLifecycle on the raw driver, and
// reads the rules back with minio-go.
func TestLifecycle(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	adm := admin(t, srv)
	s3test.CheckLifecycle(t, d, func(t *testing.T) []string {
		lc, err := adm.GetBucketLifecycle(t.Context(), d.Bucket())
		require.NoError(t, err)
		var rules []string
		for _, r := range lc.Rules {
			rules = append(rules, fmt.Sprintf("%s=%d", r.RuleFilter.Prefix, r.Expiration.Days))
		}
		slices.Sort(rules)
		return rules
	})
}

// TestRemoveMany runs s3test.CheckRemoveMany on the raw driver (no
// conflict checks, for speed).
func TestRemoveMany(t *testing.T) {
	srv := testserver.StartMinIO(t)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	dc := &s3test.DeleteCounter{Base: tr}
	d := openDriver(t, srv, func(c *minio.Config) { c.Transport = dc; c.SkipConflictCheck = true })
	s3test.CheckRemoveMany(t, d, dc)
}
