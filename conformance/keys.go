package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// OddKeys are valid keys that stores, URLs, XML and file systems tend to
// mangle. Every driver must round-trip each of them. No key is the
// "directory" of another (see the key-prefix-of-key check for that).
func OddKeys() []string {
	keys := []string{
		"odd/with space",
		"odd/plus+sign",
		"odd/percent%20encoded",
		"odd/percent%",
		"odd/percent%zz",
		"odd/hash#fragment",
		"odd/question?mark=1&b=2",
		`odd/back\slash`,
		`odd/\leading-backslash`,
		"odd/tilde~",
		"odd/semi;colon",
		"odd/equals=sign",
		"odd/amp&ersand",
		"odd/comma,",
		`odd/double"quote`,
		"odd/single'quote",
		"odd/colon:name",
		"odd/star*pipe|angle<>",
		"odd/brackets[]{}()",
		"odd/bang!at@dollar$caret^back`tick",
		"odd/unicode/日本語/ключ/ü",
		"odd/emoji/😀🎉",
		"odd/nfc-é",
		"odd/nfd-e\u0301",
		"odd/nbsp\u00a0",
		"odd/case/Key",
		"odd/case/key",
		" leading space",
		"odd/trailing space ",
		"odd/ leading space segment",
		"odd/.hidden",
		"odd/..dots",
		"odd/...",
		"odd/dots..",
		"odd/-dash",
		"odd/_under",
		"odd/xml&lt;entity&gt;",
		"odd/<tag>",
		"odd/segment.with.dots/x",
	}
	// Many segments.
	var segs []string
	for i := range 60 {
		segs = append(segs, fmt.Sprint(i))
	}
	keys = append(keys, "odd/many/"+strings.Join(segs, "/"))
	// Exactly MaxKeyLen bytes, in segments short enough for any file
	// system (NAME_MAX is 255 bytes), of ASCII and of 2-byte runes.
	keys = append(keys, longKey("odd/long", "L"), longKey("odd/long-utf8", "é"))
	return keys
}

func checkOddKeys(t T, b backend.Backend) {
	keys := OddKeys()
	for _, k := range keys {
		if err := backend.ValidateKey("put", k); err != nil {
			t.Fatalf("the suite's odd key %q is not valid: %v", k, err)
		}
	}
	for _, k := range keys {
		data := []byte(k)
		if _, err := b.Put(t.Context(), k, bytes.NewReader(data), sized(data)); err != nil {
			t.Errorf("Put(%q): %v", k, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, k := range keys {
		wantContent(t, b, k, []byte(k), "odd key")
		if st := mustStat(t, b, k); st.Key != k {
			t.Errorf("Stat(%q) names the key %q", k, st.Key)
		}
		page, err := b.List(t.Context(), backend.ListOptions{Prefix: k, PageSize: 1})
		switch {
		case err != nil:
			t.Errorf("List(prefix %q): %v", k, err)
		case len(page.Objects) == 0 || page.Objects[0].Key != k:
			t.Errorf("List(prefix %q) = %s, want the key first", k, quoteAll(keysOf(page.Objects)))
		}
	}
	sorted := slices.Sorted(slices.Values(keys))
	wantKeys(t, b, "", sorted, "every odd key")
	for _, k := range keys {
		if err := b.Remove(t.Context(), k); err != nil {
			t.Errorf("Remove(%q): %v", k, err)
		}
	}
	wantKeys(t, b, "", nil, "after removing every odd key")
}

// checkKeyPrefixOfKey decides what a store may do with a key that is the
// "directory" of another ("a" and "a/b"). Object stores hold both; a file
// system cannot, as "a" would have to be a file and a directory. Either
// answer is conformant: both objects stored and readable, or the second
// put refused with a clear *backend.Error that names the key and is not
// ErrInvalidKey (the key is valid; the store's layout refuses it). What is
// never conformant is silent loss: a put that succeeds and an object that
// then cannot be read, or a first object damaged by the refused second.
func checkKeyPrefixOfKey(t T, b backend.Backend) {
	for _, pair := range [][2]string{{"nest", "nest/child"}, {"deep/child", "deep"}, {"x/y", "x/y/z/w"}} {
		first, second := pair[0], pair[1]
		mustPut(t, b, first, []byte(first), sized([]byte(first)))
		_, err := b.Put(t.Context(), second, bytes.NewReader([]byte(second)), sized([]byte(second)))
		if err == nil {
			wantContent(t, b, first, []byte(first), "both "+first+" and "+second+" stored")
			wantContent(t, b, second, []byte(second), "both "+first+" and "+second+" stored")
			want := []string{first, second}
			slices.Sort(want)
			wantKeys(t, b, strings.SplitN(first, "/", 2)[0], want, "both stored")
			continue
		}
		var be *backend.Error
		switch {
		case errors.Is(err, backend.ErrInvalidKey):
			t.Errorf("Put(%q) while %q exists: %v; the key is valid, so not ErrInvalidKey", second, first, err)
		case !errors.As(err, &be):
			t.Errorf("Put(%q) while %q exists: %v (%T) is not a *backend.Error", second, first, err, err)
		case !strings.Contains(err.Error(), second):
			t.Errorf("Put(%q) while %q exists: the error %q does not name the key", second, first, err)
		default:
			t.Logf("the store refuses %q while %q exists: %v", second, first, err)
		}
		wantContent(t, b, first, []byte(first), "after "+second+" was refused")
		wantAbsent(t, b, second, "after it was refused")
	}
}

// InvalidKeys are keys every driver must refuse with ErrInvalidKey.
func InvalidKeys() []string {
	return []string{
		"", "/", "//", "/a", "a//b", ".", "..", "./a", "../a", "a/..", "a/.",
		"a/../b", "a/./b", "a/", "a/b/",
		"a\x00b", "a\rb", "a\nb", "a\tb", "a\x7fb", "a\u0085b", "\x1b[31m",
		"\xff\xfe", "a\xc3", "a\xed\xa0\x80b", // invalid UTF-8, and a UTF-16 surrogate
		strings.Repeat("x", backend.MaxKeyLen+1),
		strings.Repeat("a/", backend.MaxKeyLen/2) + "b",
	}
}

func checkInvalidKeys(t T, b backend.Backend) {
	ctx := t.Context()
	for _, k := range InvalidKeys() {
		if backend.ValidateKey("put", k) == nil {
			t.Fatalf("the suite's invalid key %q is valid", k)
		}
		r := &countingReader{r: bytes.NewReader([]byte("data"))}
		var err error
		noPanic(t, fmt.Sprintf("Put(%q)", k), func() { _, err = b.Put(ctx, k, r, backend.PutOptions{Size: 4}) })
		wantKeyErr(t, err, k, "Put")
		if n := r.reads.Load(); n != 0 {
			t.Errorf("Put(%q) read the reader %d times before rejecting the key", k, n)
		}
		noPanic(t, fmt.Sprintf("Get(%q)", k), func() {
			rc, _, gerr := b.Get(ctx, k, backend.WholeObject)
			if rc != nil {
				rc.Close()
			}
			err = gerr
		})
		wantKeyErr(t, err, k, "Get")
		noPanic(t, fmt.Sprintf("Stat(%q)", k), func() { _, err = b.Stat(ctx, k) })
		wantKeyErr(t, err, k, "Stat")
		noPanic(t, fmt.Sprintf("Remove(%q)", k), func() { err = b.Remove(ctx, k) })
		wantKeyErr(t, err, k, "Remove")
		if br, ok := backend.As[backend.BatchRemover](b); ok {
			noPanic(t, fmt.Sprintf("RemoveMany(%q)", k), func() { err = br.RemoveMany(ctx, []string{"valid", k}) })
			wantErr(t, err, backend.ErrInvalidKey, "RemoveMany([valid %q])", k)
		}
	}
	wantKeys(t, b, "", nil, "after every invalid key was refused")
}

// wantKeyErr checks for ErrInvalidKey in an *backend.Error that names the
// key.
func wantKeyErr(t T, err error, key, op string) {
	t.Helper()
	if !wantErr(t, err, backend.ErrInvalidKey, "%s(%q)", op, key) {
		return
	}
	var be *backend.Error
	if !errors.As(err, &be) {
		t.Errorf("%s(%q): %v (%T) is not a *backend.Error", op, key, err, err)
	} else if be.Key != key {
		t.Errorf("%s(%q): the error names the key %q", op, key, be.Key)
	}
}

func checkInvalidPrefixes(t T, b backend.Backend) {
	ctx := t.Context()
	mustPut(t, b, "p/x", []byte("x"), sized([]byte("x")))
	for _, p := range []string{"../", "..", ".", "./", "/x", "/", "a/../", "a/..", "a/./b", "a//", "x\x00", "x\n", "\xff", strings.Repeat("p", backend.MaxKeyLen+1)} {
		var err error
		noPanic(t, fmt.Sprintf("List(prefix %q)", p), func() {
			_, err = b.List(ctx, backend.ListOptions{Prefix: p})
		})
		wantErr(t, err, backend.ErrInvalidKey, "List(prefix %q)", p)
	}
	for _, p := range []string{"", "p", "p/", "p/x", "p/x-", "p/..x", "p/.hid", "é", "a b"} {
		if _, err := b.List(ctx, backend.ListOptions{Prefix: p}); err != nil {
			t.Errorf("List(prefix %q), a valid prefix: %v", p, err)
		}
	}
}

// longKey returns a key of exactly MaxKeyLen bytes: prefix, then segments
// of at most 200 bytes made of unit, padded with 'x'.
func longKey(prefix, unit string) string {
	key := prefix
	for {
		room := backend.MaxKeyLen - len(key) - 1 // after a '/'
		if room <= 0 {
			return key + strings.Repeat("x", backend.MaxKeyLen-len(key))
		}
		n := min(room, 200) / len(unit)
		key += "/" + strings.Repeat(unit, n) + strings.Repeat("x", min(room, 200)-n*len(unit))
	}
}
