package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/s3core/s3test"
)

// TestListNoEmptyLastPage runs on MinIO, whose IsTruncated says more
// follow on a last page, and on versitygw.
func TestListNoEmptyLastPage(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, _ := srv.openRaw(t)
		s3test.CheckListNoEmptyLastPage(t, d)
	})
}

// listQueries records the markers of the listing requests it sends.
type listQueries struct {
	mu      sync.Mutex
	markers []string
}

func (l *listQueries) RoundTrip(r *http.Request) (*http.Response, error) {
	if q := r.URL.Query(); q.Get("list-type") == "2" {
		l.mu.Lock()
		switch {
		case q.Get("continuation-token") != "":
			l.markers = append(l.markers, "token")
		case q.Get("start-after") != "":
			l.markers = append(l.markers, "start-after")
		}
		l.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestListPagesMinIOWithItsTokens: once the driver knows the server is
// MinIO, it pages with MinIO's continuation tokens (its listing cache);
// elsewhere with StartAfter.
func TestListPagesMinIOWithItsTokens(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		rec := &listQueries{}
		d, _ := srv.openRaw(t, func(c *s3drv.Config) { c.HTTPClient = &http.Client{Transport: rec} })
		for i := range 5 {
			_, err := d.Put(t.Context(), fmt.Sprintf("k/%d", i), strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
		}
		page, err := d.List(t.Context(), backend.ListOptions{Prefix: "k/", PageSize: 2})
		require.NoError(t, err)
		for page.NextToken != "" {
			require.Len(t, page.Objects, 2)
			page, err = d.List(t.Context(), backend.ListOptions{Prefix: "k/", PageSize: 2, Token: page.NextToken})
			require.NoError(t, err)
		}
		want := map[string]string{"minio": "token", "versitygw": "start-after"}[srv.name]
		assert.Equal(t, []string{want, want}, rec.markers)
	})
}
