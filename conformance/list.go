package conformance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// orderKeys are keys whose byte order differs from the walk order of a
// directory tree ("a-b" < "a.b" < "a/b" < "a0"), from case-insensitive
// order ("Z" < "a") and from UTF-16 order ("\uff5e" < "😀" in bytes).
// No key is the "directory" of another, so the fs driver can hold them all.
var orderKeys = []string{
	"a/b", "a-b", "a.b", "a0", "A", "é", "a/c/d", "Z", "aa", "a b", "a+b", "a%20b",
	"b", "e", "ü", "\u20ac", "\uff5e", "😀", "~x", "0", "_u", "a-b-c", "a/b-c",
}

// putOrderKeys stores orderKeys, each holding its own bytes, and returns
// them in lexical byte order.
func putOrderKeys(t T, b backend.Backend) []string {
	t.Helper()
	for _, k := range orderKeys {
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
	}
	sorted := slices.Clone(orderKeys)
	slices.Sort(sorted) // Go compares strings byte by byte
	return sorted
}

func checkListOrder(t T, b backend.Backend) {
	want := putOrderKeys(t, b)
	objs := listAll(t, b, "", 0)
	wantKeys(t, b, "", want, "List of the whole store")
	for _, o := range objs {
		if o.Size != int64(len(o.Key)) {
			t.Errorf("List: %q has size %d, want %d", o.Key, o.Size, len(o.Key))
		}
	}
}

func checkListPrefix(t T, b backend.Backend) {
	all := putOrderKeys(t, b)
	for _, prefix := range []string{"", "a", "a/", "a/b", "a/c", "a/c/", "a/c/d", "a-", "A", "é", "~", "nomatch", "a/nomatch/", "😀"} {
		var want []string
		for _, k := range all {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		wantKeys(t, b, prefix, want, "prefix listing")
		got := keysOf(listAll(t, b, prefix, 2))
		if !slices.Equal(got, want) {
			t.Errorf("List(prefix %q) in pages of 2 = %s, want %s", prefix, quoteAll(got), quoteAll(want))
		}
	}
}

func checkListPagination(t T, b backend.Backend) {
	ctx := t.Context()
	all := putOrderKeys(t, b)
	for _, size := range []int{1, 2, 3, 1000, 0} {
		var got []string
		seen := map[string]bool{}
		token, pages := "", 0
		limit := size
		if limit == 0 {
			limit = backend.DefaultPageSize
		}
		maxPages := (len(all)+limit-1)/limit + 1 // one trailing empty page is allowed
		for {
			page, err := b.List(ctx, backend.ListOptions{PageSize: size, Token: token})
			if err != nil {
				t.Fatalf("page size %d, page %d: List: %v", size, pages+1, err)
			}
			pages++
			if len(page.Objects) > limit {
				t.Errorf("page size %d: page %d holds %d objects", size, pages, len(page.Objects))
			}
			for _, o := range page.Objects {
				if seen[o.Key] {
					t.Errorf("page size %d: %q listed twice", size, o.Key)
				}
				seen[o.Key] = true
				got = append(got, o.Key)
			}
			if page.NextToken == "" {
				break
			}
			if pages >= maxPages {
				t.Fatalf("page size %d: still a NextToken after %d pages for %d keys", size, pages, len(all))
			}
			token = page.NextToken
		}
		if !slices.Equal(got, all) {
			t.Errorf("page size %d: the pages together list\n\t%s\nwant\n\t%s", size, quoteAll(got), quoteAll(all))
		}
	}

	// A token is stateless: it can be used again, and a listing resumed
	// from it sees keys written after it was made, but only those after it.
	first, err := b.List(ctx, backend.ListOptions{PageSize: 2})
	if err != nil {
		t.Fatalf("List(page size 2): %v", err)
	}
	if len(first.Objects) == 0 || first.NextToken == "" {
		t.Fatalf("List(page size 2) of %d keys gave %d objects and token %q", len(all), len(first.Objects), first.NextToken)
	}
	next := func() []string {
		p, err := b.List(ctx, backend.ListOptions{PageSize: 3, Token: first.NextToken})
		if err != nil {
			t.Fatalf("List with a token: %v", err)
		}
		return keysOf(p.Objects)
	}
	a, again := next(), next()
	if !slices.Equal(a, again) {
		t.Errorf("the same token gave %s, then %s", quoteAll(a), quoteAll(again))
	}
	last := first.Objects[len(first.Objects)-1].Key
	for _, k := range []string{" before", "~~late"} {
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
	}
	var want []string
	for _, k := range append(slices.Clone(all), " before", "~~late") {
		if k > last {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	var rest []string
	token := first.NextToken
	for range len(want) + 2 {
		p, err := b.List(ctx, backend.ListOptions{PageSize: 1000, Token: token})
		if err != nil {
			t.Fatalf("List with a token after new puts: %v", err)
		}
		rest = append(rest, keysOf(p.Objects)...)
		if token = p.NextToken; token == "" {
			break
		}
	}
	if !slices.Equal(rest, want) {
		t.Errorf("resumed after %q with an old token: %s\nwant %s", last, quoteAll(rest), quoteAll(want))
	}

	_, err = b.List(ctx, backend.ListOptions{PageSize: -1})
	wantErr(t, err, backend.ErrInvalidArgument, "List(page size -1)")
}

func checkListAfterWrite(t T, b backend.Backend) {
	const n = 40
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("law/%03d", i)
	}
	// Random order, so most keys land between two listed ones.
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	visible := map[string]bool{}
	for _, k := range keys {
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
		visible[k] = true
		if got := keysOf(listAll(t, b, "law/", 0)); !slices.Contains(got, k) {
			t.Errorf("List right after Put(%q) returned does not show it", k)
		}
	}
	wantKeys(t, b, "law/", sortedKeys(visible), "after every put")
	for _, k := range keys[:n/2] {
		if err := b.Remove(t.Context(), k); err != nil {
			t.Fatalf("Remove(%q): %v", k, err)
		}
		delete(visible, k)
		if got := keysOf(listAll(t, b, "law/", 0)); slices.Contains(got, k) {
			t.Errorf("List right after Remove(%q) returned still shows it", k)
		}
	}
	wantKeys(t, b, "law/", sortedKeys(visible), "after removing half")
}

// checkListDuringOverwrites lists keys that exist the whole time while
// other goroutines overwrite them: every listing must show every key (on
// tmpfs one readdir pass during renames used to miss some). Listings run
// in pages of 50 as well, so that a driver whose pagination depends on
// positions that an overwrite moves is caught too.
func checkListDuringOverwrites(t T, b backend.Backend) {
	const n, writers = 300, 3
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("ldo/%03d", i)
		mustPut(t, b, want[i], []byte(want[i]), sized([]byte(want[i])))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var overwrites atomic.Int64
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := want[r.IntN(n)]
				data := []byte(k + strings.Repeat("x", r.IntN(64)))
				if _, err := b.Put(t.Context(), k, bytes.NewReader(data), sized(data)); err != nil && t.Context().Err() == nil {
					t.Errorf("overwrite %q: %v", k, err)
					return
				}
				overwrites.Add(1)
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	// List only once every writer is busy overwriting.
	for overwrites.Load() < 3*writers && !t.Failed() && t.Context().Err() == nil {
		time.Sleep(time.Millisecond)
	}
	for round, pageSize := range []int{0, 50, 0, 50} {
		got := keysOf(listAll(t, b, "ldo/", pageSize))
		if missing := missingFrom(want, got); len(missing) > 0 {
			t.Errorf("listing %d (page size %d) during overwrites misses %d of %d keys that existed throughout: %s",
				round, pageSize, len(missing), n, quoteAll(missing[:min(len(missing), 5)]))
		}
	}
}

// missingFrom returns the keys of want that got lacks.
func missingFrom(want, got []string) []string {
	seen := make(map[string]bool, len(got))
	for _, k := range got {
		seen[k] = true
	}
	var missing []string
	for _, k := range want {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	return missing
}
