package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// dirKeys is a tree with objects at several levels and "folders" whose
// names sort differently from their keys ("a-b" < "a.b" < "a/" < "a0"),
// a folder ("m/") holding more keys than the smallest pages, and
// non-ASCII names. No key is the "directory" of another, so the fs driver
// can hold them all.
var dirKeys = func() []string {
	keys := []string{
		"a-b", "a.b", "a/x", "a/y/z", "a/y/zz", "a/y0", "a/y-", "a0",
		"b/c/d/e", "c", "é/1", "😀", "~", "z z/1", "z z/2",
	}
	for i := range 25 {
		keys = append(keys, fmt.Sprintf("m/k/%02d", i), fmt.Sprintf("m/%02d", i))
	}
	return keys
}()

// dirEntry is one entry of a directory listing: an object's key, or a
// common prefix with its trailing "/".
type dirEntry struct {
	name     string
	isPrefix bool
	size     int64
}

func (e dirEntry) String() string {
	if e.isPrefix {
		return fmt.Sprintf("prefix %q", e.name)
	}
	return fmt.Sprintf("%q", e.name)
}

// wantDir is the directory listing of keys under prefix, one level deep,
// of the entries after startAfter, computed from the keys alone.
func wantDir(keys []string, prefix, startAfter string) []dirEntry {
	seen := map[string]bool{}
	var out []dirEntry
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		e := dirEntry{name: k, size: int64(len(k))}
		if i := strings.Index(k[len(prefix):], "/"); i >= 0 {
			e = dirEntry{name: k[:len(prefix)+i+1], isPrefix: true}
		}
		if e.name <= startAfter || seen[e.name] {
			continue
		}
		seen[e.name] = true
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return out
}

// listDir reads every page of a directory listing and checks what holds
// for each page: at most pageSize entries counting objects and prefixes,
// both sorted, every prefix ends with "/" right after its first "/"
// below the listing's prefix, no object key has a "/" below it, every
// entry of a page sorts after every entry of the pages before, and the
// listing ends. It returns the entries in order.
func listDir(t T, b backend.Backend, opts backend.ListOptions) []dirEntry {
	t.Helper()
	opts.Delimiter = "/"
	limit := opts.PageSize
	if limit <= 0 || limit > backend.DefaultPageSize {
		limit = backend.DefaultPageSize
	}
	var out []dirEntry
	last := ""
	what := func() string {
		return fmt.Sprintf("List(prefix %q, delimiter %q, start after %q, page size %d)", opts.Prefix, opts.Delimiter, opts.StartAfter, opts.PageSize)
	}
	for pages := 1; ; pages++ {
		page, err := b.List(t.Context(), opts)
		if err != nil {
			t.Fatalf("%s, page %d: %v", what(), pages, err)
		}
		if n := len(page.Objects) + len(page.Prefixes); n > limit {
			t.Errorf("%s: page %d holds %d objects and %d prefixes, more than %d", what(), pages, len(page.Objects), len(page.Prefixes), limit)
		}
		var entries []dirEntry
		for _, o := range page.Objects {
			if !strings.HasPrefix(o.Key, opts.Prefix) || strings.Contains(o.Key[len(opts.Prefix):], "/") {
				t.Errorf("%s: page %d lists object %q, which is not at the level of the prefix", what(), pages, o.Key)
			}
			entries = append(entries, dirEntry{name: o.Key, size: o.Size})
		}
		if !slices.IsSortedFunc(page.Objects, func(a, b backend.ObjectInfo) int { return strings.Compare(a.Key, b.Key) }) {
			t.Errorf("%s: page %d: objects out of order: %s", what(), pages, quoteAll(keysOf(page.Objects)))
		}
		for _, p := range page.Prefixes {
			rest, ok := strings.CutPrefix(p, opts.Prefix)
			if !ok || strings.Index(rest, "/") != len(rest)-1 {
				t.Errorf("%s: page %d lists prefix %q, which is not the prefix followed by one segment and \"/\"", what(), pages, p)
			}
			entries = append(entries, dirEntry{name: p, isPrefix: true})
		}
		if !slices.IsSorted(page.Prefixes) {
			t.Errorf("%s: page %d: prefixes out of order: %s", what(), pages, quoteAll(page.Prefixes))
		}
		slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
		if len(entries) > 0 && pages > 1 && entries[0].name <= last {
			t.Errorf("%s: page %d starts with %s, which does not sort after %q, the last entry of the pages before", what(), pages, entries[0], last)
		}
		if len(entries) > 0 {
			last = entries[len(entries)-1].name
		}
		out = append(out, entries...)
		if page.NextToken == "" {
			return out
		}
		if page.NextToken == opts.Token {
			t.Fatalf("%s: page %d returns its own token %q again", what(), pages, opts.Token)
		}
		if pages > len(dirKeys)+2 {
			t.Fatalf("%s: still a NextToken after %d pages", what(), pages)
		}
		opts.Token = page.NextToken
	}
}

// sameDir reports an error when got and want differ in names, kinds or
// object sizes.
func sameDir(t T, got, want []dirEntry, format string, args ...any) {
	t.Helper()
	equal := len(got) == len(want)
	for i := 0; equal && i < len(got); i++ {
		equal = got[i].name == want[i].name && got[i].isPrefix == want[i].isPrefix &&
			(got[i].isPrefix || got[i].size == want[i].size)
	}
	if !equal {
		t.Errorf("%s =\n\t%v\nwant\n\t%v", fmt.Sprintf(format, args...), got, want)
	}
}

func putDirKeys(t T, b backend.Backend) {
	t.Helper()
	for _, k := range dirKeys {
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
	}
}

// dirPrefixes are the prefixes the directory checks list under: whole
// folders, partial names, a folder of folders, nested and missing ones.
var dirPrefixes = []string{"", "a", "a/", "a/y", "a/y/", "b/", "b/c/d/", "m/", "m/k/", "é/", "z z/", "nomatch/", "c"}

func checkListDelimiter(t T, b backend.Backend) {
	putDirKeys(t, b)
	for _, prefix := range dirPrefixes {
		want := wantDir(dirKeys, prefix, "")
		for _, size := range []int{1, 2, 1000} {
			got := listDir(t, b, backend.ListOptions{Prefix: prefix, PageSize: size})
			sameDir(t, got, want, "directory listing of %q in pages of %d", prefix, size)
			if limit := (len(want)+size-1)/size + 1; size < 1000 && len(want) > 0 {
				// Counted again, without the entries: a driver that
				// returns empty pages while it skips a folder's keys.
				if n := countPages(t, b, backend.ListOptions{Prefix: prefix, Delimiter: "/", PageSize: size}); n > limit {
					t.Errorf("directory listing of %q (%d entries) in pages of %d took %d pages, want at most %d", prefix, len(want), size, n, limit)
				}
			}
		}
	}

	// A flat listing is still flat.
	wantKeys(t, b, "a/", []string{"a/x", "a/y-", "a/y/z", "a/y/zz", "a/y0"}, "flat listing beside directory listings")

	// A token is stateless: the same token gives the same page, also
	// when it follows a prefix entry.
	ctx := t.Context()
	first, err := b.List(ctx, backend.ListOptions{Delimiter: "/", PageSize: 3})
	if err != nil {
		t.Fatalf("List(delimiter \"/\", page size 3): %v", err)
	}
	if first.NextToken == "" {
		t.Fatalf("List(delimiter \"/\", page size 3) of %d entries gave no NextToken", len(wantDir(dirKeys, "", "")))
	}
	p1, err1 := b.List(ctx, backend.ListOptions{Delimiter: "/", PageSize: 3, Token: first.NextToken})
	p2, err2 := b.List(ctx, backend.ListOptions{Delimiter: "/", PageSize: 3, Token: first.NextToken})
	if err1 != nil || err2 != nil {
		t.Fatalf("List with a token: %v, %v", err1, err2)
	}
	if !slices.Equal(keysOf(p1.Objects), keysOf(p2.Objects)) || !slices.Equal(p1.Prefixes, p2.Prefixes) {
		t.Errorf("the same token gave %s %s, then %s %s", quoteAll(keysOf(p1.Objects)), quoteAll(p1.Prefixes), quoteAll(keysOf(p2.Objects)), quoteAll(p2.Prefixes))
	}

	for _, d := range []string{"x", "//", ".", "\\", "a/"} {
		_, err := b.List(ctx, backend.ListOptions{Delimiter: d})
		wantErr(t, err, backend.ErrInvalidArgument, "List(delimiter %q)", d)
	}
}

// countPages returns the number of pages of a listing.
func countPages(t T, b backend.Backend, opts backend.ListOptions) int {
	t.Helper()
	for n := 1; ; n++ {
		page, err := b.List(t.Context(), opts)
		if err != nil {
			t.Fatalf("List(%+v): %v", opts, err)
		}
		if page.NextToken == "" || n > 10*len(dirKeys) {
			return n
		}
		opts.Token = page.NextToken
	}
}

func checkListStartAfter(t T, b backend.Backend) {
	putDirKeys(t, b)
	sorted := slices.Sorted(slices.Values(dirKeys))
	// Keys, prefixes, names between them and inside folders, past the end.
	afters := []string{
		"", " ", "a-b", "a-c", "a/", "a/y", "a/y/", "a/y/z", "a/z", "a0",
		"b/c/d/e", "m/", "m/k/", "m/k/12", "m/12", "~", "😀😀",
	}
	for _, after := range afters {
		for _, prefix := range []string{"", "a/", "m/", "m/k/", "a/y"} {
			// Flat.
			var want []string
			for _, k := range sorted {
				if k > after && strings.HasPrefix(k, prefix) {
					want = append(want, k)
				}
			}
			got := listFlat(t, b, backend.ListOptions{Prefix: prefix, StartAfter: after, PageSize: 5})
			if !slices.Equal(got, want) {
				t.Errorf("List(prefix %q, start after %q, page size 5) =\n\t%s\nwant\n\t%s", prefix, after, quoteAll(got), quoteAll(want))
			}
			// One level.
			for _, size := range []int{2, 1000} {
				gotDir := listDir(t, b, backend.ListOptions{Prefix: prefix, StartAfter: after, PageSize: size})
				sameDir(t, gotDir, wantDir(dirKeys, prefix, after), "directory listing of %q after %q in pages of %d", prefix, after, size)
			}
		}
	}

	// A token wins over StartAfter.
	ctx := t.Context()
	for _, delim := range []string{"", "/"} {
		first, err := b.List(ctx, backend.ListOptions{Delimiter: delim, PageSize: 2, StartAfter: "a"})
		if err != nil || first.NextToken == "" {
			t.Fatalf("List(delimiter %q, start after \"a\", page size 2) = %d objects, token %q, %v", delim, len(first.Objects), first.NextToken, err)
		}
		plain, err1 := b.List(ctx, backend.ListOptions{Delimiter: delim, PageSize: 2, Token: first.NextToken})
		both, err2 := b.List(ctx, backend.ListOptions{Delimiter: delim, PageSize: 2, Token: first.NextToken, StartAfter: "m/"})
		if err1 != nil || err2 != nil {
			t.Fatalf("List with a token (and a StartAfter): %v, %v", err1, err2)
		}
		if !slices.Equal(keysOf(plain.Objects), keysOf(both.Objects)) || !slices.Equal(plain.Prefixes, both.Prefixes) {
			t.Errorf("delimiter %q: a token with StartAfter \"m/\" gave %s %s; the token alone %s %s (the token must win)", delim,
				quoteAll(keysOf(both.Objects)), quoteAll(both.Prefixes), quoteAll(keysOf(plain.Objects)), quoteAll(plain.Prefixes))
		}
	}

	for _, after := range []string{"../", "/x", "a//", "a\x00"} {
		_, err := b.List(ctx, backend.ListOptions{StartAfter: after})
		wantErr(t, err, backend.ErrInvalidKey, "List(start after %q)", after)
	}
}

// listFlat reads every page of a flat listing and returns the keys.
func listFlat(t T, b backend.Backend, opts backend.ListOptions) []string {
	t.Helper()
	var keys []string
	for pages := 1; ; pages++ {
		page, err := b.List(t.Context(), opts)
		if err != nil {
			t.Fatalf("List(prefix %q, start after %q, page size %d): %v", opts.Prefix, opts.StartAfter, opts.PageSize, err)
		}
		if len(page.Prefixes) > 0 {
			t.Errorf("List(prefix %q) without a delimiter gave prefixes %s", opts.Prefix, quoteAll(page.Prefixes))
		}
		keys = append(keys, keysOf(page.Objects)...)
		if page.NextToken == "" || pages > len(dirKeys)+2 {
			return keys
		}
		opts.Token = page.NextToken
	}
}

// The checks of this file, registered in suite() with one line.
var (
	listDelimiterCheck = check{name: "list-delimiter", fn: checkListDelimiter,
		doc: "a directory listing (delimiter \"/\") of a tree with objects at several levels gives the objects of the level and each folder once as a prefix, in order, in pages of 1, 2 and 1000 counting both; other delimiters give ErrInvalidArgument"}
	listStartAfterCheck = check{name: "list-start-after", fn: checkListStartAfter,
		doc: "StartAfter lists only the keys and prefixes after it, flat and one level, from keys, prefixes and names between them; a token wins over it"}
)
