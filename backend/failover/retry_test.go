package failover

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestBackoffIsJitteredExponentialAndCapped(t *testing.T) {
	base, maxDelay := 50*time.Millisecond, 2*time.Second
	for n := 1; n <= 200; n++ {
		want := maxDelay
		if n <= 6 {
			want = base << (n - 1) // 50ms .. 1.6s, under the cap
		}
		for range 50 {
			d := backoff(base, maxDelay, n)
			require.LessOrEqual(t, d, want, "attempt %d", n)
			require.GreaterOrEqual(t, d, want/2, "attempt %d", n)
		}
	}
	// Jitter: the delays of one step are not all the same.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(base, maxDelay, 3)] = true
	}
	assert.Greater(t, len(seen), 10)
}

func TestPermanentErrorsAreNeverRetried(t *testing.T) {
	for _, kind := range []error{backend.ErrNotFound, backend.ErrExist, backend.ErrPermission,
		backend.ErrInvalidArgument, backend.ErrNotSupported, backend.ErrTooLarge} {
		t.Run(kind.Error(), func(t *testing.T) {
			c := newFakeCluster(t, "a", "b", "c")
			rec := &recorder{}
			b := rec.watch(newBackend(t, c.config()))
			for _, n := range []string{"a", "b", "c"} {
				c.ep(n).script(fault{kind: kind, times: -1})
			}
			ctx := context.Background()
			_, err := b.Stat(ctx, "k")
			require.ErrorIs(t, err, kind)
			_, err = b.Put(ctx, "k", strings.NewReader("data"), backend.PutOptions{Size: 4})
			require.ErrorIs(t, err, kind)
			_, _, err = b.Get(ctx, "k", backend.WholeObject)
			require.ErrorIs(t, err, kind)
			_, err = b.List(ctx, backend.ListOptions{})
			require.ErrorIs(t, err, kind)
			require.ErrorIs(t, b.Remove(ctx, "k"), kind)

			total := 0
			for _, n := range []string{"a", "b", "c"} {
				total += len(c.ep(n).callsOf(""))
			}
			assert.Equal(t, 5, total, "one attempt per operation")
			retries, failovers, states := rec.snapshot()
			assert.Empty(t, retries)
			assert.Empty(t, failovers)
			assert.Empty(t, states)
			for _, s := range b.Endpoints() {
				assert.True(t, s.Up, s.Endpoint)
			}
		})
	}
}

func TestServerBusyIsRetriedWithBackoff(t *testing.T) {
	c := newFakeCluster(t, "a")
	rec := &recorder{}
	cfg := c.config()
	cfg.BaseDelay, cfg.MaxDelay = 20*time.Millisecond, time.Second
	b := rec.watch(newBackend(t, cfg))
	c.ep("a").script(fault{op: "put", kind: backend.ErrServerBusy, readN: 10, times: 3})

	data := randomBytes(1, 5000)
	start := time.Now()
	_, err := b.Put(context.Background(), "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	elapsed := time.Since(start)

	assert.Len(t, c.ep("a").callsOf("put"), 4)
	// Three backoffs of at least half of 20, 40 and 80 ms.
	assert.GreaterOrEqual(t, elapsed, 70*time.Millisecond)
	assertSameBytes(t, data, getAll(t, c.direct(), "k"))
	retries, failovers, states := rec.snapshot()
	assert.Equal(t, []string{"put k a 1", "put k a 2", "put k a 3"}, retries)
	assert.Empty(t, failovers, "one endpoint: nowhere to fail over to")
	assert.Empty(t, states, "a busy server is not down")
}

func TestBusyRetryMovesToTheNextEndpoint(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	rec := &recorder{}
	b := rec.watch(newBackend(t, c.config()))
	c.ep("a").script(fault{op: "stat", kind: backend.ErrServerBusy, times: -1})
	c.ep("b").script(fault{op: "stat", kind: backend.ErrServerBusy, times: -1})
	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrServerBusy)
	a, bb := len(c.ep("a").callsOf("stat")), len(c.ep("b").callsOf("stat"))
	assert.Equal(t, 5, a+bb)
	assert.GreaterOrEqual(t, min(a, bb), 2, "attempts alternate between the endpoints")
	_, failovers, _ := rec.snapshot()
	assert.NotEmpty(t, failovers)
}

func TestAttemptsAreCapped(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	cfg.MaxAttempts = 4
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrServerBusy, times: -1})
	c.ep("b").script(fault{kind: backend.ErrServerBusy, times: -1})

	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrServerBusy)
	var re *RetryError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 4, re.Attempts)
	assert.Equal(t, "MaxAttempts reached", re.Reason)
	assert.Contains(t, err.Error(), `objstore: stat "k": server busy or failing: gave up after 4 attempts`)
	assert.Contains(t, err.Error(), "503 SlowDown", "the last cause is in the message")
	assert.Equal(t, 4, len(c.ep("a").callsOf(""))+len(c.ep("b").callsOf("")))
}

func TestMaxElapsedStopsRetrying(t *testing.T) {
	c := newFakeCluster(t, "a")
	cfg := c.config()
	cfg.MaxAttempts = 1000
	cfg.BaseDelay, cfg.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	cfg.MaxElapsed = 150 * time.Millisecond
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrServerBusy, times: -1})

	start := time.Now()
	_, err := b.Stat(context.Background(), "k")
	elapsed := time.Since(start)
	require.ErrorIs(t, err, backend.ErrServerBusy)
	var re *RetryError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "MaxElapsed reached", re.Reason)
	assert.Less(t, re.Attempts, 100)
	assert.GreaterOrEqual(t, elapsed, 130*time.Millisecond)
	assert.Less(t, elapsed, 500*time.Millisecond)
}

func TestBackoffBoundsTotalTime(t *testing.T) {
	c := newFakeCluster(t, "a")
	cfg := c.config()
	cfg.MaxAttempts = 8
	cfg.BaseDelay, cfg.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrServerBusy, times: -1})
	start := time.Now()
	_, err := b.Stat(context.Background(), "k")
	require.ErrorIs(t, err, backend.ErrServerBusy)
	// 7 backoffs: 5, 10, 20, 20, 20, 20, 20 ms at most (capped), at least half.
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, elapsed, 57*time.Millisecond)
	assert.Less(t, elapsed, 400*time.Millisecond)
}

func TestCallerDeadlineHolds(t *testing.T) {
	c := newFakeCluster(t, "a", "b")
	cfg := c.config()
	cfg.AttemptTimeout, cfg.StallTimeout = 10*time.Second, 10*time.Second
	b := newBackend(t, cfg)
	c.ep("a").script(fault{hang: true, times: -1})
	c.ep("b").script(fault{hang: true, times: -1})

	ops := map[string]func(ctx context.Context) error{
		"stat": func(ctx context.Context) error { _, err := b.Stat(ctx, "k"); return err },
		"put": func(ctx context.Context) error {
			_, err := b.Put(ctx, "k", strings.NewReader("abc"), backend.PutOptions{Size: 3})
			return err
		},
		"get":  func(ctx context.Context) error { _, _, err := b.Get(ctx, "k", backend.WholeObject); return err },
		"list": func(ctx context.Context) error { _, err := b.List(ctx, backend.ListOptions{}); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := op(ctx)
			elapsed := time.Since(start)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, elapsed, 400*time.Millisecond)
		})
	}
	// The caller's own deadline is not the endpoints' fault.
	for _, s := range b.Endpoints() {
		assert.True(t, s.Up, s.Endpoint)
	}
}

func TestCancelledContextStopsBackoff(t *testing.T) {
	c := newFakeCluster(t, "a")
	cfg := c.config()
	cfg.BaseDelay, cfg.MaxDelay = 5*time.Second, 5*time.Second
	b := newBackend(t, cfg)
	c.ep("a").script(fault{kind: backend.ErrServerBusy, times: -1})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := b.Stat(ctx, "k")
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "503 SlowDown", "the error tells what was being retried")
	assert.Less(t, time.Since(start), time.Second)
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want class
	}{
		{backend.NewError("get", "k", backend.ErrUnavailable, nil), classUnavailable},
		{backend.NewError("get", "k", backend.ErrServerBusy, nil), classBusy},
		{backend.NewError("get", "k", backend.ErrNotFound, nil), classPermanent},
		{backend.NewError("get", "k", backend.ErrPermission, nil), classPermanent},
		{backend.NewError("get", "k", backend.ErrExist, nil), classPermanent},
		{backend.NewError("get", "k", nil, scriptedErr(backend.ErrUnavailable)), classUnavailable}, // unmapped network error
		{backend.NewError("get", "k", nil, errors.New("odd")), classPermanent},
		{context.Canceled, classPermanent},
		// minio-go rewrites an EOF into text; the request got no answer.
		{backend.NewError("put", "k", nil, &url.Error{Op: "Put", URL: "http://x/b/k", Err: errors.New("Connection closed by foreign host http://x/b/k. Retry again.")}), classUnavailable},
		{&url.Error{Op: "Get", URL: "https://x/", Err: &tls.CertificateVerificationError{Err: errors.New("bad cert")}}, classPermanent},
		{&url.Error{Op: "Get", URL: "https://x/", Err: x509.UnknownAuthorityError{}}, classPermanent},
		{&url.Error{Op: "Get", URL: "http://x/", Err: context.Canceled}, classPermanent},
	} {
		assert.Equal(t, tc.want, classify(tc.err), "%v", tc.err)
	}
}
