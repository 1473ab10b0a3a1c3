package s3_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// TestConditionalRequestConflictIsRetried puts a fault proxy in front of
// the server that answers one PUT of the key with S3's 409
// ConditionalRequestConflict ("a conflicting operation occurred; retry"):
// the raw driver reports it as transient (ErrServerBusy, never ErrExist,
// since it says nothing about the key existing), and New retries it and
// the put succeeds, also a create-only one.
func TestConditionalRequestConflictIsRetried(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		proxy := faultproxy.StartHTTP(t, strings.TrimPrefix(srv.url, "http://"))
		viaProxy := func(c *s3drv.Config) {
			c.Endpoint = "http://" + proxy.Addr()
			c.Retry = failover.Retry{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
		}
		conflict := func(key string) faultproxy.Fault {
			return faultproxy.Fault{
				Method: http.MethodPut,
				Match:  func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/"+key) },
				Status: http.StatusConflict,
				Code:   "ConditionalRequestConflict",
			}
		}
		ctx := t.Context()

		d, _ := srv.openRaw(t, viaProxy)
		proxy.Inject(conflict("raw"))
		_, err := d.Put(ctx, "raw", strings.NewReader("x"), backend.PutOptions{Size: 1})
		requireKind(t, err, backend.ErrServerBusy, "put", "raw")
		assert.NotErrorIs(t, err, backend.ErrExist)
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "ConditionalRequestConflict", apiErr.ErrorCode())
		assert.Equal(t, 1, proxy.Injected(http.MethodPut))

		b, _ := srv.open(t, viaProxy)
		for _, ifNotExist := range []bool{false, true} {
			key := "retried"
			if ifNotExist {
				key = "retried-create-only"
			}
			proxy.ResetCounts()
			proxy.Inject(conflict(key))
			_, err = b.Put(ctx, key, strings.NewReader("data"), backend.PutOptions{Size: 4, IfNotExist: ifNotExist})
			require.NoError(t, err, "IfNotExist %v: the 409 is retried", ifNotExist)
			assert.Equal(t, 1, proxy.Injected(http.MethodPut), "one conflict injected")
			assert.Equal(t, 2, proxy.Requests(http.MethodPut), "the PUT was sent again")
			assert.Equal(t, "data", string(getAll(t, b, key)))
		}
	})
}
