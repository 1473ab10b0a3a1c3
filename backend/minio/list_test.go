package minio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// pageSizes lists every page of prefix with the given page size and
// returns the number of objects in each page and every key.
func pageSizes(t *testing.T, b backend.Backend, prefix string, size int) (sizes []int, keys []string) {
	t.Helper()
	token := ""
	for range 100 {
		page, err := b.List(context.Background(), backend.ListOptions{Prefix: prefix, PageSize: size, Token: token})
		require.NoError(t, err)
		sizes = append(sizes, len(page.Objects))
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.NextToken == "" {
			return sizes, keys
		}
		token = page.NextToken
	}
	t.Fatalf("page size %d: more than 100 pages", size)
	return nil, nil
}

// TestListNoEmptyLastPage: MinIO says a listing is truncated whenever its
// walk stopped at the limit, also when nothing follows, which gave pages
// of [1 1 1 0] for 3 keys and page size 1. A token must mean that more
// objects follow: no page is empty (but the only one of an empty
// listing), and the last page has no token.
func TestListNoEmptyLastPage(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()
	for _, n := range []int{0, 1, 2, 3, 4, 7} {
		prefix := fmt.Sprintf("n%d/", n)
		var want []string
		for i := range n {
			// Nested keys too: MinIO's walk is per "directory".
			key := fmt.Sprintf("%s%c", prefix, 'a'+i)
			if i%2 == 1 {
				key += "/x"
			}
			_, err := d.Put(ctx, key, strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
			want = append(want, key)
		}
		for _, size := range []int{1, 2, 3, 4, 1000} {
			sizes, keys := pageSizes(t, d, prefix, size)
			assert.Equal(t, want, keys, "%d keys, page size %d: every key once, in order", n, size)
			full := make([]int, 0, len(sizes))
			for left := n; left > 0; left -= size {
				full = append(full, min(left, size))
			}
			if n == 0 {
				full = []int{0}
			}
			assert.Equal(t, full, sizes, "%d keys, page size %d: full pages, then the rest, and no empty page", n, size)
		}
	}
}
