package gcs

import (
	"context"
	"errors"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/pagetoken"
)

// List returns one page of the objects under opts.Prefix in lexical order.
//
// The page token is our own, not the server's: it encodes the last key of
// the page, and the next page starts at that key (the query's startOffset,
// which is inclusive) and skips it. So a token is stateless, can be used
// again, outlives the Backend, and means the same on GCS and on emulators
// whose page tokens differ from GCS's. List asks for one object more than
// the page holds, to know without another request whether a next page
// exists; when GCS returns short pages, the iterator asks for more.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return pagetoken.List(ctx, &b.guard, opts, b.listPage)
}

// listPage is one page of List (a pagetoken.Page): its state is the last
// key of the previous page.
func (b *Backend) listPage(ctx context.Context, opts backend.ListOptions, state []byte) ([]backend.ObjectInfo, []byte, error) {
	after := string(state)
	q := &storage.Query{Prefix: opts.Prefix, StartOffset: after}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated", "Etag", "ContentType", "Metadata"}); err != nil {
		return nil, nil, backend.NewError("list", opts.Prefix, nil, err)
	}
	it := b.bucket.Objects(ctx, q)
	it.PageInfo().MaxSize = opts.PageSize + 2 // the token's key, the page, and one more

	var objs []backend.ObjectInfo
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return objs, nil, nil
		}
		if err != nil {
			return nil, nil, wrap("list", opts.Prefix, err)
		}
		if (after != "" && attrs.Name <= after) || !strings.HasPrefix(attrs.Name, opts.Prefix) {
			continue // the previous page's last key
		}
		if len(objs) == opts.PageSize {
			return objs, []byte(objs[len(objs)-1].Key), nil
		}
		objs = append(objs, infoOf(attrs))
	}
}
