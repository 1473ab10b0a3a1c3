package conformance

import (
	"bytes"
	"fmt"
	"maps"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

func checkMetadataRoundTrip(t T, b backend.Backend) {
	cases := []struct {
		key  string
		ct   string
		md   map[string]string
		want map[string]string // as NormalizeMetadata makes it, written out
	}{
		{
			key: "meta/mixed",
			ct:  "text/plain; charset=utf-8",
			md: map[string]string{
				"Owner":      "Alice",
				"X-Trace_ID": "abc-123",
				"note":       "héllo wörld ✓ 日本語 😀",
				"path":       "a/b c?d=e&f#g",
				"quote":      `he said "hi", then 'bye'`,
				"pct":        "100%20sure %zz",
				"encoded":    "=?UTF-8?B?aGk=?=",
				"spaces":     "inner  double  spaces",
				"colon":      "a:b; c=d",
			},
			want: map[string]string{
				"owner":      "Alice",
				"x-trace_id": "abc-123",
				"note":       "héllo wörld ✓ 日本語 😀",
				"path":       "a/b c?d=e&f#g",
				"quote":      `he said "hi", then 'bye'`,
				"pct":        "100%20sure %zz",
				"encoded":    "=?UTF-8?B?aGk=?=",
				"spaces":     "inner  double  spaces",
				"colon":      "a:b; c=d",
			},
		},
		{key: "meta/json", ct: "application/json", md: map[string]string{"UPPER": "V"}, want: map[string]string{"upper": "V"}},
		{key: "meta/vendor", ct: "application/vnd.example+json; version=2", md: map[string]string{}, want: nil},
		{key: "meta/default-type", md: map[string]string{"a": "b"}, want: map[string]string{"a": "b"}},
		{key: "meta/max-size", ct: "image/png", md: maxMetadata(), want: maxMetadata()},
	}
	for i, c := range cases {
		if norm, err := backend.NormalizeMetadata("put", c.key, c.md); err != nil || !sameMetadata(norm, c.want) {
			t.Fatalf("the suite's expectation for %q disagrees with backend.NormalizeMetadata: %v, %v", c.key, norm, err)
		}
		wantCT := c.ct
		if wantCT == "" {
			wantCT = backend.DefaultContentType
		}
		data := payload(uint64(40+i), 100+i)
		mustPut(t, b, c.key, data, backend.PutOptions{Size: int64(len(data)), ContentType: c.ct, Metadata: c.md})

		st := mustStat(t, b, c.key)
		got, gi := mustGet(t, b, c.key, backend.WholeObject)
		if !bytes.Equal(got, data) {
			t.Errorf("%q: Get returned %s, want %s", c.key, describe(got), describe(data))
		}
		for _, r := range []struct {
			what string
			info backend.ObjectInfo
		}{{"Stat", st}, {"Get", gi}} {
			if !sameMetadata(r.info.Metadata, c.want) {
				t.Errorf("%q: %s returned metadata\n\t%s\nwant\n\t%s", c.key, r.what, formatMetadata(r.info.Metadata), formatMetadata(c.want))
			}
			if r.info.ContentType != wantCT {
				t.Errorf("%q: %s returned content type %q, want %q", c.key, r.what, r.info.ContentType, wantCT)
			}
		}
	}
	// A listing may leave metadata and content type out, but what it
	// gives must be right.
	for _, o := range listAll(t, b, "meta/", 0) {
		st := mustStat(t, b, o.Key)
		if o.Metadata != nil && !sameMetadata(o.Metadata, st.Metadata) {
			t.Errorf("%q: List gives metadata %s, Stat %s", o.Key, formatMetadata(o.Metadata), formatMetadata(st.Metadata))
		}
		if o.ContentType != "" && o.ContentType != st.ContentType {
			t.Errorf("%q: List gives content type %q, Stat %q", o.Key, o.ContentType, st.ContentType)
		}
	}
	// The caller's map is the caller's: changing it after Put changes
	// nothing stored.
	md := map[string]string{"k": "before"}
	mustPut(t, b, "meta/alias", []byte("x"), backend.PutOptions{Size: 1, Metadata: md})
	md["k"] = "after"
	st := mustStat(t, b, "meta/alias")
	if st.Metadata["k"] != "before" {
		t.Errorf("changing the caller's map after Put changed the stored metadata to %v", st.Metadata)
	}
	st.Metadata["k"] = "changed by the caller"
	if again := mustStat(t, b, "meta/alias"); again.Metadata["k"] != "before" {
		t.Errorf("changing the map Stat returned changed the stored metadata to %v", again.Metadata)
	}
}

// maxMetadata is the largest ASCII metadata that backend.NormalizeMetadata
// accepts (MaxMetadataSize bytes, counted its way): entries of 100-byte
// values, the last one as long as the limit allows.
func maxMetadata() map[string]string {
	md := map[string]string{}
	accepted := func() bool { _, err := backend.NormalizeMetadata("put", "k", md); return err == nil }
	for i := 0; ; i++ {
		k := fmt.Sprintf("key%02d", i)
		v := strings.Repeat(string(rune('a'+i%26)), 100)
		md[k] = v
		if accepted() {
			continue
		}
		for len(v) > 0 && !accepted() {
			v = v[:len(v)-1]
			md[k] = v
		}
		if v == "" {
			delete(md, k)
		}
		return md
	}
}

// overMetadata is maxMetadata with one byte more.
func overMetadata() map[string]string {
	md := maxMetadata()
	md["key00"] += "x"
	return md
}

// sameMetadata treats nil and empty maps alike.
func sameMetadata(a, b map[string]string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return maps.Equal(a, b)
}

func formatMetadata(md map[string]string) string {
	var sb strings.Builder
	sb.WriteString("{")
	for i, k := range sortedKeys(md) {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%q: %q", k, md[k])
	}
	sb.WriteString("}")
	return sb.String()
}

func checkMetadataInvalid(t T, b backend.Backend) {
	cases := []struct {
		name  string
		md    map[string]string
		ct    string
		attrs backend.HTTPAttributes
	}{
		{name: "key with a space", md: map[string]string{"my key": "v"}},
		{name: "empty key", md: map[string]string{"": "v"}},
		{name: "key starting with a digit", md: map[string]string{"1a": "v"}},
		{name: "non-ASCII key", md: map[string]string{"ключ": "v"}},
		{name: "key with a dot", md: map[string]string{"a.b": "v"}},
		{name: "key of 129 characters", md: map[string]string{"k" + strings.Repeat("x", 128): "v"}},
		{name: "keys equal but for case", md: map[string]string{"Name": "1", "name": "2"}},
		{name: "empty value", md: map[string]string{"k": ""}},
		{name: "value with a leading space", md: map[string]string{"k": " v"}},
		{name: "value with a trailing space", md: map[string]string{"k": "v "}},
		{name: "value with a newline", md: map[string]string{"k": "a\nb"}},
		{name: "value with CR LF", md: map[string]string{"k": "a\r\nX-Injected: 1"}},
		{name: "value with NUL", md: map[string]string{"k": "a\x00b"}},
		{name: "value of invalid UTF-8", md: map[string]string{"k": "a\xffb"}},
		{name: "metadata one byte over the limit", md: overMetadata()},
		{name: "content type with a leading space", ct: " text/plain"},
		{name: "content type with a newline", ct: "text/plain\nX-Injected: 1"},
		{name: "non-ASCII content type", ct: "text/plain; charset=ü"},
		{name: "content type over 1024 bytes", ct: "text/plain; x=" + strings.Repeat("y", backend.MaxHeaderValue)},
		{name: "cache control with a newline", attrs: backend.HTTPAttributes{CacheControl: "no-cache\r\nX-Injected: 1"}},
		{name: "non-ASCII content disposition", attrs: backend.HTTPAttributes{ContentDisposition: `attachment; filename="ü"`}},
	}
	for i, c := range cases {
		_, merr := backend.NormalizeMetadata("put", "k", c.md)
		_, cerr := backend.NormalizeContentType("put", "k", c.ct)
		aerr := backend.CheckHTTPAttributes("put", "k", c.attrs)
		if merr == nil && cerr == nil && aerr == nil {
			t.Fatalf("the suite's invalid case %q is valid for package backend", c.name)
		}
		key := fmt.Sprintf("badmeta/%02d", i)
		r := &countingReader{r: bytes.NewReader([]byte("data"))}
		var err error
		noPanic(t, "Put with "+c.name, func() {
			_, err = b.Put(t.Context(), key, r, backend.PutOptions{Size: 4, Metadata: c.md, ContentType: c.ct, HTTPAttributes: c.attrs})
		})
		wantErr(t, err, backend.ErrInvalidArgument, "Put with %s", c.name)
		if n := r.reads.Load(); n != 0 {
			t.Errorf("Put with %s read the reader %d times before rejecting the metadata", c.name, n)
		}
		wantAbsent(t, b, key, "after a put with "+c.name)
	}
}
