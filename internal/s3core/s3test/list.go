package s3test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// CheckListNoEmptyLastPage checks that a page token means that more
// objects follow: MinIO says a listing is truncated whenever its walk
// stopped at the limit, also when nothing follows, which gave pages of
// [1 1 1 0] for 3 keys and page size 1. No page is empty (but the only
// one of an empty listing), the last page has no token, and every key
// comes once, in order, for listings of 0 to 7 keys (nested ones too:
// MinIO's walk is per "directory") and page sizes 1 to 4 and 1000. d is
// an empty store.
func CheckListNoEmptyLastPage(t *testing.T, d backend.Backend) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 2, 3, 4, 7} {
		prefix := fmt.Sprintf("n%d/", n)
		var want []string
		for i := range n {
			key := fmt.Sprintf("%s%c", prefix, 'a'+i)
			if i%2 == 1 {
				key += "/x"
			}
			_, err := d.Put(ctx, key, strings.NewReader("x"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
			want = append(want, key)
		}
		for _, size := range []int{1, 2, 3, 4, 1000} {
			var sizes []int
			var keys []string
			token := ""
			for range 100 {
				page, err := d.List(ctx, backend.ListOptions{Prefix: prefix, PageSize: size, Token: token})
				require.NoError(t, err)
				sizes = append(sizes, len(page.Objects))
				for _, o := range page.Objects {
					keys = append(keys, o.Key)
				}
				if token = page.NextToken; token == "" {
					break
				}
			}
			require.Empty(t, token, "%d keys, page size %d: the listing ends", n, size)
			assert.Equal(t, want, keys, "%d keys, page size %d: every key once, in order", n, size)
			full := []int{0}
			if n > 0 {
				full = full[:0]
			}
			for left := n; left > 0; left -= size {
				full = append(full, min(left, size))
			}
			assert.Equal(t, full, sizes, "%d keys, page size %d: full pages, then the rest, and no empty page", n, size)
		}
	}
}
