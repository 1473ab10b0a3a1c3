package minio_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestHealth(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()

	hs, err := d.Health(ctx)
	require.NoError(t, err)
	require.Len(t, hs, 1)
	assert.Equal(t, srv.Endpoint, hs[0].Endpoint)
	assert.True(t, hs[0].Live)
	assert.True(t, hs[0].Ready)
	assert.NoError(t, hs[0].Err)
	assert.Positive(t, hs[0].Latency)

	// A hung server: not live, within the caller's deadline.
	srv.Stop(t)
	sctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	start := time.Now()
	hs, err = d.Health(sctx)
	cancel()
	srv.Cont(t)
	require.NoError(t, err, "a sick endpoint is reported in the entry, not as an error")
	require.Len(t, hs, 1)
	assert.False(t, hs[0].Live)
	assert.False(t, hs[0].Ready)
	assert.ErrorIs(t, hs[0].Err, backend.ErrUnavailable)
	assert.Less(t, time.Since(start), 5*time.Second)

	// Back again once resumed.
	hs, err = d.Health(ctx)
	require.NoError(t, err)
	assert.True(t, hs[0].Live && hs[0].Ready, "after SIGCONT: %+v", hs[0])

	// A dead server: refused.
	srv.Kill(t)
	hs, err = d.Health(ctx)
	require.NoError(t, err)
	assert.False(t, hs[0].Live)
	assert.ErrorIs(t, hs[0].Err, backend.ErrUnavailable)

	require.NoError(t, d.Close())
	_, err = d.Health(ctx)
	assert.ErrorIs(t, err, backend.ErrClosed)
}

func TestPresign(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	plain := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	const key = "shared/report 1+1.txt"
	put, err := d.Presign(ctx, http.MethodPut, key, time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	assert.NotContains(t, put, srv.SecretKey)
	req, err := http.NewRequest(http.MethodPut, put, strings.NewReader("made by a holder of the URL"))
	require.NoError(t, err)
	resp, err := plain.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	rc, _, err := d.Get(ctx, key, backend.WholeObject)
	require.NoError(t, err)
	assert.Equal(t, "made by a holder of the URL", string(readAll(t, rc)))

	get, err := d.Presign(ctx, http.MethodGet, key, time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	assert.NotContains(t, get, srv.SecretKey)
	resp, err = plain.Get(get)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "made by a holder of the URL", string(body))

	// A tampered URL is refused: the signature really is checked.
	resp, err = plain.Get(strings.Replace(get, "report", "rePort", 1))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	for _, bad := range []time.Duration{0, time.Millisecond, 8 * 24 * time.Hour} {
		_, err = d.Presign(ctx, http.MethodGet, key, bad, backend.PresignOptions{})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "expiry %v", bad)
	}
	_, err = d.Presign(ctx, http.MethodPut, "/bad", time.Minute, backend.PresignOptions{})
	assert.ErrorIs(t, err, backend.ErrInvalidKey)
}

func TestLifecycle(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()

	got, err := d.Expiry(ctx)
	require.NoError(t, err)
	assert.Empty(t, got, "a new bucket has no rules")

	require.NoError(t, d.SetExpiry(ctx, "logs/", 3))
	require.NoError(t, d.SetExpiry(ctx, "tmp/", 1))
	got, err = d.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 3, "tmp/": 1}, got)

	// The rules are really on the server.
	lc, err := admin(t, srv).GetBucketLifecycle(ctx, d.Bucket())
	require.NoError(t, err)
	var prefixes []string
	for _, r := range lc.Rules {
		prefixes = append(prefixes, fmt.Sprintf("%s=%d", r.RuleFilter.Prefix, r.Expiration.Days))
	}
	slices.Sort(prefixes)
	assert.Equal(t, []string{"logs/=3", "tmp/=1"}, prefixes)

	require.NoError(t, d.SetExpiry(ctx, "logs/", 30), "replace a rule")
	require.NoError(t, d.SetExpiry(ctx, "tmp/", 0), "remove a rule")
	got, err = d.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 30}, got)

	require.NoError(t, d.SetExpiry(ctx, "logs/", 0))
	got, err = d.Expiry(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	assert.ErrorIs(t, d.SetExpiry(ctx, "x/", -1), backend.ErrInvalidArgument)
	assert.ErrorIs(t, d.SetExpiry(ctx, "../", 1), backend.ErrInvalidKey)
}

// countingTransport counts the multi-object delete requests it sends.
type countingTransport struct {
	http.RoundTripper
	mu      sync.Mutex
	deletes int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Query().Has("delete") {
		c.mu.Lock()
		c.deletes++
		c.mu.Unlock()
	}
	return c.RoundTripper.RoundTrip(r)
}

func TestRemoveMany(t *testing.T) {
	srv := testserver.StartMinIO(t)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	ct := &countingTransport{RoundTripper: tr}
	d := openDriver(t, srv, func(c *minio.Config) { c.Transport = ct; c.SkipConflictCheck = true })
	ctx := context.Background()

	const n = 1100
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("rm/%04d", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				if _, err := d.Put(ctx, keys[i], bytes.NewReader([]byte("x")), backend.PutOptions{Size: 1}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, err := d.Put(ctx, "keep", bytes.NewReader([]byte("k")), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	missing := []string{"rm/missing-1", "rm/missing-2"}
	require.NoError(t, d.RemoveMany(ctx, append(slices.Clone(keys), missing...)), "missing keys are not errors")
	assert.Equal(t, 2, ct.deletes, "1102 keys take two multi-object delete requests")
	page, err := d.List(ctx, backend.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "keep", page.Objects[0].Key)

	// An invalid key is refused on its own, never sent, and does not stop
	// the others (foreignkeys_test.go has the keys of a listing).
	before := ct.deletes
	assert.ErrorIs(t, d.RemoveMany(ctx, []string{"ok", "a//b"}), backend.ErrInvalidKey)
	assert.Equal(t, before+1, ct.deletes, "one request, for the valid key")
	assert.ErrorIs(t, d.RemoveMany(ctx, []string{"a//b"}), backend.ErrInvalidKey)
	assert.Equal(t, before+1, ct.deletes, "no request without a valid key")

	// A cancelled context names every key it did not remove.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = d.RemoveMany(cctx, []string{"keep", "other"})
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, d.Close())
	assert.ErrorIs(t, d.RemoveMany(ctx, []string{"keep"}), backend.ErrClosed)
}
