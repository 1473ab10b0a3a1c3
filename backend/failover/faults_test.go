package failover_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// These tests put one real MinIO behind fault proxies and check the
// Faults rows of RELIABILITY.md that a single server can show.

// noIncompleteUploads checks that no multipart upload was left behind.
func noIncompleteUploads(t *testing.T, s *server) {
	t.Helper()
	for u := range s.raw.Client().ListIncompleteUploads(context.Background(), bucket, "", true) {
		require.NoError(t, u.Err)
		t.Errorf("multipart upload of %q (%s) left behind", u.Key, u.UploadID)
	}
}

// Connection cut after N bytes of an upload: the retry sends the object
// again from byte 0 and the stored bytes equal the source; a reader that
// cannot be rewound gives an error, never a short object.
func TestMinIOUploadCut(t *testing.T) {
	s := startServer(t, minio.MinPartSize)
	p := faultproxy.Start(t, s.srv.Endpoint)
	ev := &events{}
	b := ev.watch(open(t, s.cfg, testConfig(), p.Addr()))

	for _, tc := range []struct {
		name  string
		size  int
		known bool  // Size given (one streaming PUT) or -1 (part buffers)
		cut   int64 // upstream bytes before the cut
	}{
		{"single PUT", 3 << 20, true, 1 << 20},
		{"multipart", 12 << 20, false, 7 << 20}, // in the second of three 5 MiB parts
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := payload(uint64(tc.size), tc.size)
			size := int64(-1)
			if tc.known {
				size = int64(tc.size)
			}
			cutsBefore := p.Cuts()

			t.Run("seekable: retried from byte 0", func(t *testing.T) {
				p.CutAfter(faultproxy.Upstream, tc.cut)
				retries, _, _ := ev.counts()
				_, err := b.Put(context.Background(), "cut/seekable", bytes.NewReader(data), backend.PutOptions{Size: size})
				require.NoError(t, err)
				require.Equal(t, cutsBefore+1, p.Cuts(), "the upload was cut")
				after, _, _ := ev.counts()
				assert.Greater(t, after, retries, "and retried")
				sum, n := stored(t, s.raw, "cut/seekable")
				assert.Equal(t, int64(len(data)), n)
				assert.Equal(t, sha256.Sum256(data), sum, "stored bytes equal the source")
			})
			t.Run("not rewindable: error, no object", func(t *testing.T) {
				p.CutAfter(faultproxy.Upstream, tc.cut)
				_, err := b.Put(context.Background(), "cut/pipe", onlyReader{bytes.NewReader(data)}, backend.PutOptions{Size: size})
				require.Error(t, err)
				require.Equal(t, cutsBefore+2, p.Cuts())
				assert.ErrorIs(t, err, failover.ErrNotRewindable)
				assert.ErrorIs(t, err, backend.ErrUnavailable)
				_, err = s.raw.Stat(context.Background(), "cut/pipe")
				assert.ErrorIs(t, err, backend.ErrNotFound, "never a short object")
			})
			noIncompleteUploads(t, s)
		})
	}
}

// Connection cut mid-download: resumed with a range request against the
// same version, or an error; never short data that ends in a clean EOF.
func TestMinIODownloadCut(t *testing.T) {
	s := startServer(t, 0)
	data := payload(7, 6<<20)
	_, err := s.raw.Put(context.Background(), "dl/obj", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)

	t.Run("resumed", func(t *testing.T) {
		p1 := faultproxy.Start(t, s.srv.Endpoint)
		p2 := faultproxy.Start(t, s.srv.Endpoint)
		ev := &events{}
		b := ev.watch(open(t, s.cfg, testConfig(), p1.Addr(), p2.Addr()))
		p1.CutAfter(faultproxy.Downstream, 1<<20)
		p2.CutAfter(faultproxy.Downstream, 2<<20)
		rc, info, err := b.Get(context.Background(), "dl/obj", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(h, rc)
		require.NoError(t, err)
		assert.Equal(t, int64(len(data)), n)
		want := sha256.Sum256(data)
		assert.Equal(t, want[:], h.Sum(nil), "byte-identical after the resumes")
		assert.Equal(t, 2, p1.Cuts()+p2.Cuts(), "the download was cut twice")
		retries, _, _ := ev.counts()
		assert.GreaterOrEqual(t, retries, 2, "each cut was resumed")
		assert.Equal(t, int64(len(data)), info.Size)
	})
	t.Run("range resumed", func(t *testing.T) {
		p := faultproxy.Start(t, s.srv.Endpoint)
		b := open(t, s.cfg, testConfig(), p.Addr())
		p.CutAfter(faultproxy.Downstream, 300<<10)
		rc, _, err := b.Get(context.Background(), "dl/obj", backend.GetOptions{Offset: 12345, Length: 2 << 20})
		require.NoError(t, err)
		defer rc.Close()
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data[12345:12345+2<<20], got), "the range, byte-identical")
		assert.Equal(t, 1, p.Cuts())
	})
	t.Run("resume impossible: error, not EOF", func(t *testing.T) {
		p := faultproxy.Start(t, s.srv.Endpoint)
		b := open(t, s.cfg, testConfig(), p.Addr())
		rc, _, err := b.Get(context.Background(), "dl/obj", backend.WholeObject)
		require.NoError(t, err)
		defer rc.Close()
		first := make([]byte, 256<<10)
		_, err = io.ReadFull(rc, first)
		require.NoError(t, err)
		p.Refuse() // the server dies mid-download and stays dead
		rest, err := io.ReadAll(rc)
		require.Error(t, err, "never a clean EOF on short data")
		assert.ErrorIs(t, err, backend.ErrUnavailable)
		assert.Less(t, len(first)+len(rest), len(data))
		assert.True(t, bytes.Equal(data[:len(first)+len(rest)], append(first, rest...)), "what was delivered is right")
	})
}

// Server hangs (a proxy that stops forwarding): a per-attempt timeout
// fires, the client fails over, the caller's deadline holds. TestMain
// checks that no goroutine leaks.
func TestMinIOHangFailsOver(t *testing.T) {
	s := startServer(t, 0)
	p1 := faultproxy.Start(t, s.srv.Endpoint)
	p2 := faultproxy.Start(t, s.srv.Endpoint)
	fc := testConfig()
	fc.AttemptTimeout, fc.StallTimeout = time.Second, 1500*time.Millisecond
	b := open(t, s.cfg, fc, p1.Addr(), p2.Addr())
	data := payload(8, 100<<10)
	_, err := s.raw.Put(context.Background(), "hang/obj", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)

	ops := map[string]func(ctx context.Context) error{
		"stat": func(ctx context.Context) error { _, err := b.Stat(ctx, "hang/obj"); return err },
		"list": func(ctx context.Context) error {
			_, err := b.List(ctx, backend.ListOptions{Prefix: "hang/"})
			return err
		},
		"get": func(ctx context.Context) error {
			rc, _, err := b.Get(ctx, "hang/obj", backend.WholeObject)
			if err != nil {
				return err
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err == nil && !bytes.Equal(got, data) {
				err = errors.New("wrong bytes")
			}
			return err
		},
		"put": func(ctx context.Context) error {
			_, err := b.Put(ctx, "hang/put", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
			return err
		},
	}
	const margin = 1500 * time.Millisecond // the race detector and two shared cores
	for _, name := range []string{"stat", "list", "get", "put"} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, p1.Pass())
			require.Eventually(t, func() bool { return b.Endpoints()[0].Up }, 10*time.Second, 20*time.Millisecond,
				"the prober brings p1 back after Pass")
			p1.Hang()
			// Round robin: within two operations one goes to p1.
			for range 2 {
				start := time.Now()
				require.NoError(t, ops[name](context.Background()))
				assert.Less(t, time.Since(start), fc.AttemptTimeout+margin, "the per-attempt timeout bounds the hang")
			}
			st := b.Endpoints()[0]
			require.False(t, st.Up, "p1 hung: it was tried and marked down")
			assert.ErrorIs(t, st.LastError, backend.ErrUnavailable)
		})
	}
	t.Run("caller deadline", func(t *testing.T) {
		p1.Hang()
		p2.Hang()
		for name, op := range ops {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			err := op(ctx)
			cancel()
			require.ErrorIs(t, err, context.DeadlineExceeded, name)
			assert.Less(t, time.Since(start), 300*time.Millisecond+margin, name)
		}
	})
}

// First server URL refuses connections: the request is served by the next
// URL; the dead one is retried later.
func TestMinIOFirstURLRefused(t *testing.T) {
	s := startServer(t, 0)
	p1 := faultproxy.Start(t, s.srv.Endpoint)
	p2 := faultproxy.Start(t, s.srv.Endpoint)
	ev := &events{}
	b := ev.watch(open(t, s.cfg, testConfig(), p1.Addr(), p2.Addr()))
	p1.Refuse()
	for i := range 10 {
		data := payload(uint64(i), 1000+i)
		_, err := b.Put(context.Background(), "refused/k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		sum, _ := stored(t, b, "refused/k")
		assert.Equal(t, sha256.Sum256(data), sum)
	}
	st := b.Endpoints()
	assert.False(t, st[0].Up)
	assert.True(t, st[1].Up)
	assert.Contains(t, st[0].LastError.Error(), "connection refused")
	_, failovers, _ := ev.counts()
	require.Len(t, failovers, 1, "one failover, then p1 is skipped")
	assert.Contains(t, failovers[0], " "+p1.Addr()+"->"+p2.Addr())

	// The dead one comes back: the prober finds it, and it serves again.
	require.NoError(t, p1.Pass())
	require.Eventually(t, func() bool { return b.Endpoints()[0].Up }, 10*time.Second, 20*time.Millisecond)
	before := p1.Forwarded(faultproxy.Downstream)
	for range 4 {
		_, err := b.Stat(context.Background(), "refused/k")
		require.NoError(t, err)
	}
	assert.Greater(t, p1.Forwarded(faultproxy.Downstream), before, "requests reach p1 again")
	_, _, states := ev.counts()
	assert.Equal(t, []string{p1.Addr() + " up=false", p1.Addr() + " up=true"}, states)
}

// 429 / 500 / 503 / SlowDown answers are retried with jittered
// exponential backoff and a cap; 400/403/404/412 are never retried.
func TestMinIOHTTPErrorAnswers(t *testing.T) {
	s := startServer(t, 0)
	h := faultproxy.StartHTTP(t, s.srv.Endpoint)
	fc := testConfig()
	fc.BaseDelay, fc.MaxDelay, fc.MaxAttempts = 40*time.Millisecond, 400*time.Millisecond, 4
	b := open(t, s.cfg, fc, h.Addr())
	data := payload(9, 4096)
	_, err := s.raw.Put(context.Background(), "http/obj", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	ctx := context.Background()
	put := func(key string, opts backend.PutOptions) error {
		opts.Size = int64(len(data))
		_, err := b.Put(ctx, key, bytes.NewReader(data), opts)
		return err
	}
	get := func() error {
		rc, _, err := b.Get(ctx, "http/obj", backend.WholeObject)
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.ReadAll(rc)
		return err
	}
	stat := func() error { _, err := b.Stat(ctx, "http/obj"); return err }

	for _, tc := range []struct {
		name   string
		method string
		status int
		code   string
		op     func() error
	}{
		{"503 SlowDown", http.MethodPut, 503, "SlowDown", func() error { return put("http/new503", backend.PutOptions{}) }},
		{"500 InternalError", http.MethodHead, 500, "InternalError", stat},
		{"429", http.MethodGet, 429, "TooManyRequests", get},
		{"503 ServiceUnavailable", http.MethodGet, 503, "ServiceUnavailable", get},
	} {
		t.Run("retried: "+tc.name, func(t *testing.T) {
			h.ResetCounts()
			h.Inject(faultproxy.Fault{Method: tc.method, Status: tc.status, Code: tc.code, Times: 2})
			start := time.Now()
			require.NoError(t, tc.op())
			// Two backoffs of at least half of 40 and 80 ms.
			assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
			assert.Equal(t, 2, h.Injected(tc.method))
			assert.Equal(t, 3, h.Requests(tc.method), "two refused, the third served")
		})
	}
	t.Run("retries are capped", func(t *testing.T) {
		h.ResetCounts()
		h.Inject(faultproxy.Fault{Method: http.MethodPut, Status: 503, Code: "SlowDown", Times: -1})
		defer h.Clear()
		start := time.Now()
		err := put("http/capped", backend.PutOptions{})
		require.ErrorIs(t, err, backend.ErrServerBusy)
		var re *failover.RetryError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 4, re.Attempts)
		assert.Equal(t, 4, h.Requests(http.MethodPut), "MaxAttempts requests, no more (the SDK does not retry on its own)")
		// Three backoffs, each at most MaxDelay.
		assert.Less(t, time.Since(start), 3*fc.MaxDelay+2*time.Second)
		_, err = s.raw.Stat(ctx, "http/capped")
		assert.ErrorIs(t, err, backend.ErrNotFound)
	})
	for _, tc := range []struct {
		method string
		status int
		code   string
		kind   error
		op     func() error
	}{
		{http.MethodPut, 400, "InvalidArgument", backend.ErrInvalidArgument, func() error { return put("http/400", backend.PutOptions{}) }},
		{http.MethodGet, 403, "AccessDenied", backend.ErrPermission, get},
		{http.MethodHead, 403, "AccessDenied", backend.ErrPermission, stat},
		{http.MethodGet, 404, "NoSuchKey", backend.ErrNotFound, get},
		{http.MethodPut, 412, "PreconditionFailed", backend.ErrExist, func() error { return put("http/412", backend.PutOptions{IfNotExist: true}) }},
	} {
		t.Run("never retried: "+tc.code+" on "+tc.method, func(t *testing.T) {
			h.ResetCounts()
			h.Inject(faultproxy.Fault{Method: tc.method, Status: tc.status, Code: tc.code, Times: -1})
			defer h.Clear()
			err := tc.op()
			require.ErrorIs(t, err, tc.kind)
			assert.Equal(t, 1, h.Requests(tc.method), "one request: never retried")
		})
	}
}

// A create-only put whose answer is lost (the connection is cut just as
// the server answers) is retried; the retry gets 412, and the wrapper
// recognises the object as its own earlier write (its ETag is the MD5 of
// the bytes sent) instead of reporting a conflict.
func TestMinIOIfNotExistRetryFindsItsOwnWrite(t *testing.T) {
	s := startServer(t, 0)
	cfg := s.cfg
	cfg.SkipConflictCheck = true // the PUT's answer is the first byte downstream
	p := faultproxy.Start(t, s.srv.Endpoint)
	ev := &events{}
	b := ev.watch(open(t, cfg, testConfig(), p.Addr()))
	data := payload(10, 256<<10)

	p.CutAfter(faultproxy.Downstream, 0)
	info, err := b.Put(context.Background(), "once/k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: true})
	require.NoError(t, err, "our own write is not a conflict")
	require.Equal(t, 1, p.Cuts(), "the first answer was lost")
	retries, _, _ := ev.counts()
	assert.GreaterOrEqual(t, retries, 1)
	assert.Equal(t, int64(len(data)), info.Size)
	sum, _ := stored(t, s.raw, "once/k")
	assert.Equal(t, sha256.Sum256(data), sum)

	// Someone else's object under the key is still a conflict.
	other := payload(11, 1000)
	_, err = b.Put(context.Background(), "once/k", bytes.NewReader(other), backend.PutOptions{Size: int64(len(other)), IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	sum, _ = stored(t, s.raw, "once/k")
	assert.Equal(t, sha256.Sum256(data), sum, "the existing object is unchanged")
}
