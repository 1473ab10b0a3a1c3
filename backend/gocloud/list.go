package gocloud

import (
	"context"
	"io"
	"slices"
	"strings"

	"gocloud.dev/blob"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/pagetoken"
)

// List returns one page of the objects under opts.Prefix, in the order
// of the store's names, which the key codec makes the byte order of keys
// (see KeyCodec; with RawKeys it is the driver's order). With a
// delimiter the page also holds the common prefixes: gocloud's own
// ListOptions.Delimiter, so the store rolls up the keys below each prefix
// (Azure's hierarchical listing) and a prefix counts as one entry of the
// page size.
//
// The page token is gocloud's own page token (see pagetoken): for Azure
// the service's continuation marker, for memblob the last key. Both are
// stateless, so a token can be used again and outlives the Backend.
// gocloud has no start-after, so opts.StartAfter is served by listing
// from the beginning of the prefix and leaving out the entries up to
// StartAfter: the first page costs one request per page size of the
// entries before StartAfter (at the listing's level, with a delimiter);
// the pages after it cost what they always do.
//
// Listings carry size and modification time; content type, metadata and
// ETag are left empty (gocloud lists no more), Stat has them. Names that
// the key codec cannot decode (objects written by other programs) are
// left out.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return pagetoken.List(ctx, &b.guard, opts, b.listPage)
}

// listPage is one page of List (a pagetoken.Page): its state is gocloud's
// page token.
func (b *Backend) listPage(ctx context.Context, opts backend.ListOptions, token []byte) (backend.ListPage, []byte, error) {
	if token == nil {
		token = blob.FirstPageToken
	}
	lo := &blob.ListOptions{Prefix: b.opts.keys.Encode(opts.Prefix), Delimiter: opts.Delimiter}
	for {
		objs, next, err := b.bucket.ListPage(ctx, token, opts.PageSize, lo)
		if err == io.EOF {
			return backend.ListPage{}, nil, nil
		}
		if err != nil {
			return backend.ListPage{}, nil, wrap("list", opts.Prefix, err)
		}
		var page backend.ListPage
		for _, o := range objs {
			key, ok := b.opts.keys.Decode(o.Key)
			if !ok || !strings.HasPrefix(key, opts.Prefix) || (opts.StartAfter != "" && key <= opts.StartAfter) {
				continue
			}
			switch {
			case !o.IsDir:
				if backend.ValidateKey("list", key) == nil {
					page.Objects = append(page.Objects, backend.ObjectInfo{Key: key, Size: o.Size, LastModified: o.ModTime})
				}
			case opts.Delimiter != "" && strings.HasSuffix(key, opts.Delimiter) && backend.ValidatePrefix("list", key) == nil:
				page.Prefixes = append(page.Prefixes, key)
			}
		}
		slices.SortFunc(page.Objects, func(a, b backend.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
		slices.Sort(page.Prefixes)
		// Before StartAfter (only the first page has one): on to the
		// first page that reaches past it.
		if len(page.Objects)+len(page.Prefixes) == 0 && opts.StartAfter != "" && len(next) > 0 {
			token = next
			continue
		}
		return page, next, nil
	}
}
