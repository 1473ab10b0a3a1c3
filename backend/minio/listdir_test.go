package minio_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// listCountingTransport counts the listing requests (GET on the bucket with
// list-type=2) it sends.
type listCountingTransport struct {
	inner http.RoundTripper
	lists atomic.Int64
}

func (c *listCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2" {
		c.lists.Add(1)
	}
	return c.inner.RoundTrip(r)
}

// TestListDirRequests is the target on MinIO: a directory listing
// of a prefix holding many keys under 10 sub-prefixes is one
// ListObjectsV2 request (10 prefixes and one object), where the flat
// listing takes a request per 1000 keys. 3,000 keys (300 per folder): the
// count does not depend on the number of keys; `make bench` (dirlist)
// measures 100,000.
func TestListDirRequests(t *testing.T) {
	const n = 3_000
	srv := testserver.StartMinIO(t)
	ct := &listCountingTransport{inner: http.DefaultTransport.(*http.Transport).Clone()}
	d := openDriver(t, srv, func(c *minio.Config) { c.Transport = ct })
	ctx := t.Context()

	keys := make(chan string)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for k := range keys {
				_, err := d.Put(ctx, k, bytes.NewReader(nil), backend.PutOptions{Size: 0})
				if !assert.NoError(t, err) {
					return
				}
			}
		})
	}
	for i := range n {
		keys <- fmt.Sprintf("big/f%d/%06d", i%10, i)
	}
	close(keys)
	wg.Wait()
	_, err := d.Put(ctx, "big/top", strings.NewReader("x"), backend.PutOptions{Size: 1})
	require.NoError(t, err)

	ct.lists.Store(0)
	page, err := d.List(ctx, backend.ListOptions{Prefix: "big/", Delimiter: "/"})
	require.NoError(t, err)
	assert.Empty(t, page.NextToken)
	assert.Equal(t, []string{"big/f0/", "big/f1/", "big/f2/", "big/f3/", "big/f4/", "big/f5/", "big/f6/", "big/f7/", "big/f8/", "big/f9/"}, page.Prefixes)
	require.Len(t, page.Objects, 1)
	assert.Equal(t, "big/top", page.Objects[0].Key)
	assert.Equal(t, int64(1), ct.lists.Load(), "one ListObjectsV2 request for the 11 entries")
	t.Logf("directory listing of %d keys under 10 prefixes: %d request(s)", n+1, ct.lists.Load())

	ct.lists.Store(0)
	flat, token := 0, ""
	for {
		p, err := d.List(ctx, backend.ListOptions{Prefix: "big/", Token: token})
		require.NoError(t, err)
		flat += len(p.Objects)
		if token = p.NextToken; token == "" {
			break
		}
	}
	assert.Equal(t, n+1, flat)
	t.Logf("flat listing of the same keys: %d requests", ct.lists.Load())
	assert.GreaterOrEqual(t, ct.lists.Load(), int64(n/1000))
}
