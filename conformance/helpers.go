package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// sentinelNames makes failure messages name the sentinel a check wanted.
var sentinelNames = map[error]string{
	backend.ErrNotFound:        "backend.ErrNotFound",
	backend.ErrExist:           "backend.ErrExist",
	backend.ErrInvalidKey:      "backend.ErrInvalidKey",
	backend.ErrInvalidArgument: "backend.ErrInvalidArgument",
	backend.ErrClosed:          "backend.ErrClosed",
	backend.ErrNotSupported:    "backend.ErrNotSupported",
}

func errName(err error) string {
	if n, ok := sentinelNames[err]; ok {
		return n
	}
	return fmt.Sprintf("%q", err)
}

// wantErr reports whether err matches target with errors.Is, and records a
// failure (naming what was done) when it does not.
func wantErr(t T, err, target error, format string, args ...any) bool {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	switch {
	case err == nil:
		t.Errorf("%s: got no error, want one for which errors.Is(err, %s) holds", what, errName(target))
		return false
	case !errors.Is(err, target):
		t.Errorf("%s: got error %q (%T), want one for which errors.Is(err, %s) holds", what, err, err, errName(target))
		return false
	}
	return true
}

// sized returns PutOptions declaring the length of data.
func sized(data []byte) backend.PutOptions { return backend.PutOptions{Size: int64(len(data))} }

// mustPut stores data under key and ends the check on failure.
func mustPut(t T, b backend.Backend, key string, data []byte, opts backend.PutOptions) backend.ObjectInfo {
	t.Helper()
	info, err := b.Put(t.Context(), key, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put(%q, %d bytes, Size %d): %v", key, len(data), opts.Size, err)
	}
	if info.Key != key {
		t.Errorf("Put(%q) returned info for key %q", key, info.Key)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Put(%q) of %d bytes returned size %d", key, len(data), info.Size)
	}
	return info
}

// mustGet reads the object's range and ends the check on failure. It also
// checks that the reader's Close succeeds.
func mustGet(t T, b backend.Backend, key string, opts backend.GetOptions) ([]byte, backend.ObjectInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key, opts)
	if err != nil {
		t.Fatalf("Get(%q, offset %d, length %d): %v", key, opts.Offset, opts.Length, err)
	}
	if rc == nil {
		t.Fatalf("Get(%q) returned a nil reader and no error", key)
	}
	data, rerr := io.ReadAll(rc)
	cerr := rc.Close()
	if rerr != nil {
		t.Fatalf("reading Get(%q, offset %d, length %d): %v", key, opts.Offset, opts.Length, rerr)
	}
	if cerr != nil {
		t.Errorf("closing the reader of Get(%q) after reading it to the end: %v", key, cerr)
	}
	return data, info
}

// mustStat returns the info of key and ends the check on failure.
func mustStat(t T, b backend.Backend, key string) backend.ObjectInfo {
	t.Helper()
	info, err := b.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	return info
}

// wantContent checks that key holds exactly data, by Get and by Stat.
func wantContent(t T, b backend.Backend, key string, data []byte, why string) {
	t.Helper()
	got, info := mustGet(t, b, key, backend.WholeObject)
	if !bytes.Equal(got, data) {
		t.Errorf("%s: Get(%q) returned %s, want %s", why, key, describe(got), describe(data))
	}
	if info.Size != int64(len(data)) {
		t.Errorf("%s: Get(%q) info says size %d, want %d", why, key, info.Size, len(data))
	}
	if st := mustStat(t, b, key); st.Size != int64(len(data)) {
		t.Errorf("%s: Stat(%q) says size %d, want %d", why, key, st.Size, len(data))
	}
}

// wantAbsent checks that key holds no object, by Stat, Get and List.
func wantAbsent(t T, b backend.Backend, key string, why string) {
	t.Helper()
	_, err := b.Stat(t.Context(), key)
	wantErr(t, err, backend.ErrNotFound, "%s: Stat(%q)", why, key)
	rc, _, err := b.Get(t.Context(), key, backend.WholeObject)
	if rc != nil {
		rc.Close()
	}
	wantErr(t, err, backend.ErrNotFound, "%s: Get(%q)", why, key)
	for _, o := range listAll(t, b, key, 0) {
		if o.Key == key {
			t.Errorf("%s: List(prefix %q) lists the key, size %d", why, key, o.Size)
		}
	}
}

// wantKeys checks that a full listing of prefix gives exactly want, in
// this order.
func wantKeys(t T, b backend.Backend, prefix string, want []string, why string) {
	t.Helper()
	got := keysOf(listAll(t, b, prefix, 0))
	if !slices.Equal(got, want) {
		t.Errorf("%s: List(prefix %q) =\n\t%s\nwant\n\t%s", why, prefix, quoteAll(got), quoteAll(want))
	}
}

// listAll reads every page of a listing. It checks what holds for every
// listing (page size, prefix, no endless loop) and ends the check when the
// listing fails.
func listAll(t T, b backend.Backend, prefix string, pageSize int) []backend.ObjectInfo {
	t.Helper()
	var out []backend.ObjectInfo
	tokens := map[string]bool{}
	token, empty := "", 0
	for {
		page, err := b.List(t.Context(), backend.ListOptions{Prefix: prefix, PageSize: pageSize, Token: token})
		if err != nil {
			t.Fatalf("List(prefix %q, page size %d, token %q): %v", prefix, pageSize, token, err)
		}
		limit := pageSize
		if limit <= 0 || limit > backend.DefaultPageSize {
			limit = backend.DefaultPageSize
		}
		if len(page.Objects) > limit {
			t.Errorf("List(prefix %q, page size %d) returned a page of %d objects", prefix, pageSize, len(page.Objects))
		}
		for _, o := range page.Objects {
			if !strings.HasPrefix(o.Key, prefix) {
				t.Errorf("List(prefix %q) returned key %q, which lacks the prefix", prefix, o.Key)
			}
		}
		out = append(out, page.Objects...)
		if page.NextToken == "" {
			return out
		}
		if tokens[page.NextToken] {
			t.Fatalf("List(prefix %q, page size %d) returned token %q twice: the listing loops", prefix, pageSize, page.NextToken)
		}
		tokens[page.NextToken] = true
		if len(page.Objects) == 0 {
			if empty++; empty > 2 {
				t.Fatalf("List(prefix %q, page size %d) returned 3 empty pages in a row, each with a token", prefix, pageSize)
			}
		} else {
			empty = 0
		}
		token = page.NextToken
	}
}

func keysOf(objs []backend.ObjectInfo) []string {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}

// sortedKeys returns the keys of m in lexical byte order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return "[" + strings.Join(q, " ") + "]"
}

// describe summarises bytes for a failure message without dumping them.
func describe(data []byte) string {
	if len(data) <= 32 {
		return fmt.Sprintf("%d bytes %q", len(data), data)
	}
	return fmt.Sprintf("%d bytes starting %q", len(data), data[:32])
}

// wantInfo checks the fields every Stat and Get must fill.
func wantInfo(t T, what string, info backend.ObjectInfo, key string, size int64, since time.Time) {
	t.Helper()
	if info.Key != key {
		t.Errorf("%s: key %q, want %q", what, info.Key, key)
	}
	if info.Size != size {
		t.Errorf("%s: size %d, want %d", what, info.Size, size)
	}
	if info.ETag == "" {
		t.Errorf("%s: empty ETag", what)
	}
	// Stores set the time with their own clock: allow for clock skew.
	const skew = 15 * time.Minute
	if lm := info.LastModified; lm.IsZero() || lm.Before(since.Add(-skew)) || lm.After(time.Now().Add(skew)) {
		t.Errorf("%s: LastModified %v is not recent (put at %v)", what, lm, since)
	}
}

// noPanic calls f and turns a panic into a failure naming what was done,
// so that one bad call does not end the whole test binary.
func noPanic(t T, what string, f func()) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("%s panicked: %v", what, v)
		}
	}()
	f()
}
