package s3_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

// slowDownTransport stands between the driver and a real server and
// answers the first `fail` requests itself with 503 SlowDown, as a
// throttling S3 front end does; the rest go to the server.
type slowDownTransport struct {
	base   *http.Transport
	fail   atomic.Int32
	calls  atomic.Int32
	method atomic.Value // string: only requests of this method count and fail; "" or unset: all
}

func (s *slowDownTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if m, _ := s.method.Load().(string); m != "" && req.Method != m {
		return s.base.RoundTrip(req)
	}
	s.calls.Add(1)
	if s.fail.Add(-1) >= 0 {
		if req.Body != nil {
			req.Body.Close()
		}
		const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": {"application/xml"}},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)),
			Request:       req,
		}, nil
	}
	return s.base.RoundTrip(req)
}

// TestRetries checks that the SDK does not retry (one request per raw
// driver call) and that New retries SlowDown with backoff and succeeds.
func TestRetries(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		tr := &slowDownTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
		t.Cleanup(tr.base.CloseIdleConnections)
		withTransport := func(c *s3drv.Config) {
			c.HTTPClient = &http.Client{Transport: tr}
			c.Retry = failover.Retry{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
		}

		// Only the PUT counts: the conflict check's requests go beside it.
		d, _ := srv.openRaw(t, withTransport)
		tr.method.Store(http.MethodPut)
		tr.fail.Store(1)
		tr.calls.Store(0)
		_, err := d.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
		assert.ErrorIs(t, err, backend.ErrServerBusy)
		assert.Contains(t, err.Error(), "SlowDown")
		assert.EqualValues(t, 1, tr.calls.Load(), "the SDK must not retry on its own")
		tr.method.Store("")

		b, _ := srv.open(t, withTransport)
		tr.fail.Store(2)
		tr.calls.Store(0)
		_, err = b.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.NoError(t, err)
		// Two refusals, then the conflict check's requests and the put.
		assert.GreaterOrEqual(t, tr.calls.Load(), int32(3))
		assert.Equal(t, "x", string(getAll(t, b, "k")))

		tr.fail.Store(100)
		tr.calls.Store(0)
		_, err = b.Stat(t.Context(), "k")
		assert.ErrorIs(t, err, backend.ErrServerBusy)
		assert.EqualValues(t, 4, tr.calls.Load(), "MaxAttempts bounds the attempts")
		tr.fail.Store(0)
	})
}

// TestHungServer freezes the server: New's per-attempt timeout fires and
// the call fails with ErrUnavailable in bounded time; after the server
// resumes, the same store works.
func TestHungServer(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			srv := s.start(t)
			b, _ := srv.open(t, func(c *s3drv.Config) {
				c.Retry = failover.Retry{MaxAttempts: 2, AttemptTimeout: 300 * time.Millisecond, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
			})
			_, err := b.Put(t.Context(), "k", strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)

			srv.proc.Stop(t)
			start := time.Now()
			_, err = b.Stat(t.Context(), "k")
			elapsed := time.Since(start)
			srv.proc.Cont(t)
			assert.ErrorIs(t, err, backend.ErrUnavailable)
			assert.Less(t, elapsed, 5*time.Second)

			require.Eventually(t, func() bool {
				_, err := b.Stat(t.Context(), "k")
				return err == nil
			}, 30*time.Second, 100*time.Millisecond)
		})
	}
}
