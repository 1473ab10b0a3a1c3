package gcs

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/pagetoken"
)

// List returns one page of the objects under opts.Prefix in lexical order,
// and with a delimiter, of the common prefixes (GCS's own Query.Delimiter:
// the server rolls up the keys below each prefix).
//
// The page token is our own, not the server's: it encodes the last entry
// of the page (a key, or a prefix with its "/"), and the next page starts
// at that entry (the query's startOffset, which is inclusive; after a
// prefix "P/", at "P/" followed by the largest rune, past P's keys) and
// skips it. So a token is stateless, can be used again, outlives the
// Backend, and means the same on GCS and on emulators whose page tokens
// differ from GCS's. opts.StartAfter is a first state of the same kind.
// Entries that do not sort after the start are left out (a prefix that
// holds keys after StartAfter but sorts before it, "a/" for "a/x").
//
// List asks for two entries more than the page holds, to know without
// another request whether a next page exists. The Go client returns a
// server page's objects before its prefixes, so entries are taken one
// server page at a time and sorted.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return pagetoken.List(ctx, &b.guard, opts, b.listPage)
}

// listPage is one page of List (a pagetoken.Page): its state is the last
// entry of the previous page.
func (b *Backend) listPage(ctx context.Context, opts backend.ListOptions, state []byte) (backend.ListPage, []byte, error) {
	after := string(state)
	if state == nil {
		after = opts.StartAfter
	}
	start := after
	if opts.Delimiter != "" && len(after) > len(opts.Prefix) && strings.HasSuffix(after, opts.Delimiter) {
		start += string(utf8.MaxRune)
	}
	q := &storage.Query{Prefix: opts.Prefix, Delimiter: opts.Delimiter, StartOffset: start}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated", "Etag", "ContentType", "Metadata"}); err != nil {
		return backend.ListPage{}, nil, backend.NewError("list", opts.Prefix, nil, err)
	}
	pager := iterator.NewPager(b.bucket.Objects(ctx, q), opts.PageSize+2, "") // the token's entry, the page, and one more

	type entry struct {
		name  string
		attrs *storage.ObjectAttrs // nil for a prefix
	}
	var ents []entry
	for {
		var batch []*storage.ObjectAttrs
		next, err := pager.NextPage(&batch)
		if err != nil {
			return backend.ListPage{}, nil, wrap("list", opts.Prefix, err)
		}
		added := len(ents)
		for _, attrs := range batch {
			e := entry{name: attrs.Name, attrs: attrs}
			if attrs.Prefix != "" {
				e = entry{name: attrs.Prefix}
			}
			if (after != "" && e.name <= after) || !strings.HasPrefix(e.name, opts.Prefix) {
				continue // the previous page's last entry
			}
			ents = append(ents, e)
		}
		slices.SortFunc(ents[added:], func(a, b entry) int { return strings.Compare(a.name, b.name) })
		if len(ents) > opts.PageSize || next == "" {
			var page backend.ListPage
			var state []byte
			if len(ents) > opts.PageSize {
				ents, state = ents[:opts.PageSize], []byte(ents[opts.PageSize-1].name)
			}
			for _, e := range ents {
				if e.attrs == nil {
					page.Prefixes = append(page.Prefixes, e.name)
				} else {
					page.Objects = append(page.Objects, infoOf(e.attrs))
				}
			}
			return page, state, nil
		}
	}
}
