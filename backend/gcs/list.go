package gcs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"github.com/objstore-dev/objstore/backend"
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
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := b.check("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	after, err := decodeToken(opts.Prefix, opts.Token)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
	}
	q := &storage.Query{Prefix: opts.Prefix, StartOffset: after}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated", "Etag", "ContentType", "Metadata"}); err != nil {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
	}
	it := b.bucket.Objects(ctx, q)
	it.PageInfo().MaxSize = opts.PageSize + 2 // the token's key, the page, and one more

	var page backend.ListPage
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return page, nil
		}
		if err != nil {
			return backend.ListPage{}, wrap("list", opts.Prefix, err)
		}
		if (after != "" && attrs.Name <= after) || !strings.HasPrefix(attrs.Name, opts.Prefix) {
			continue // the previous page's last key
		}
		if len(page.Objects) == opts.PageSize {
			page.NextToken = encodeToken(page.Objects[len(page.Objects)-1].Key)
			return page, nil
		}
		page.Objects = append(page.Objects, infoOf(attrs))
	}
}

// encodeToken makes the opaque token of a page that ended with key.
func encodeToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeToken returns the key a token encodes ("" for no token).
func decodeToken(prefix, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	k, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(k) == 0 {
		return "", backend.NewError("list", prefix, backend.ErrInvalidArgument, fmt.Errorf("gcs: malformed page token %q", token))
	}
	return string(k), nil
}
