package backend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestNormalizeMetadataAccepts(t *testing.T) {
	cases := []struct {
		name     string
		in, want map[string]string
	}{
		{"nil", nil, nil},
		{"empty", map[string]string{}, nil},
		{"lower-cased keys", map[string]string{"Owner": "Alice", "X-Trace_ID": "1"}, map[string]string{"owner": "Alice", "x-trace_id": "1"}},
		{"values kept exactly", map[string]string{"a": "Héllo Wörld ✓ 日本 😀", "b": "a  b", "c": `"q" 'q' %20 =?UTF-8?B?aGk=?=`},
			map[string]string{"a": "Héllo Wörld ✓ 日本 😀", "b": "a  b", "c": `"q" 'q' %20 =?UTF-8?B?aGk=?=`}},
		{"128-character key", map[string]string{"k" + strings.Repeat("x", 127): "v"}, map[string]string{"k" + strings.Repeat("x", 127): "v"}},
		{"digits, '-' and '_' after the first letter", map[string]string{"a1-_9": "v"}, map[string]string{"a1-_9": "v"}},
		{"exactly the size limit", map[string]string{"k": strings.Repeat("v", backend.MaxMetadataSize-12)},
			map[string]string{"k": strings.Repeat("v", backend.MaxMetadataSize-12)}},
	}
	for _, c := range cases {
		got, err := backend.NormalizeMetadata("put", "key", c.in)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, got, c.name)
		again, err := backend.NormalizeMetadata("put", "key", got)
		require.NoError(t, err, c.name)
		assert.Equal(t, got, again, "normalising twice changes nothing: %s", c.name)
	}
}

func TestNormalizeMetadataDoesNotAlias(t *testing.T) {
	in := map[string]string{"a": "1"}
	out, err := backend.NormalizeMetadata("put", "key", in)
	require.NoError(t, err)
	out["a"] = "2"
	assert.Equal(t, "1", in["a"], "the result is a new map")
}

func TestNormalizeMetadataRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]string
		says string
	}{
		{"empty key", map[string]string{"": "v"}, "1 to 128"},
		{"129-character key", map[string]string{"k" + strings.Repeat("x", 128): "v"}, "1 to 128"},
		{"key with a space", map[string]string{"my key": "v"}, "only letters"},
		{"key with a dot", map[string]string{"a.b": "v"}, "only letters"},
		{"key starting with a digit", map[string]string{"1a": "v"}, "start with a letter"},
		{"key starting with '-'", map[string]string{"-a": "v"}, "start with a letter"},
		{"non-ASCII key", map[string]string{"ключ": "v"}, "start with a letter"},
		{"non-ASCII later in the key", map[string]string{"kü": "v"}, "only letters"},
		{"keys equal but for case", map[string]string{"Name": "1", "name": "2"}, "given twice"},
		{"empty value", map[string]string{"k": ""}, "not be empty"},
		{"value with a leading space", map[string]string{"k": " v"}, "white space"},
		{"value with a trailing space", map[string]string{"k": "v "}, "white space"},
		{"value with a trailing tab", map[string]string{"k": "v\t"}, "white space"},
		{"value with a newline", map[string]string{"k": "a\nb"}, "control"},
		{"value with CR LF", map[string]string{"k": "a\r\nX-Injected: 1"}, "control"},
		{"value with NUL", map[string]string{"k": "a\x00b"}, "control"},
		{"value with DEL", map[string]string{"k": "a\x7fb"}, "control"},
		{"value of invalid UTF-8", map[string]string{"k": "a\xffb"}, "UTF-8"},
		{"over the size limit", map[string]string{"k": strings.Repeat("v", backend.MaxMetadataSize-11)}, "more than the limit"},
		{"over the limit once non-ASCII is encoded", map[string]string{"k": strings.Repeat("é", 800)}, "more than the limit"},
		{"over the size limit in many entries", manyEntries(30, 70), "more than the limit"},
	}
	for _, c := range cases {
		got, err := backend.NormalizeMetadata("put", "the/key", c.in)
		assert.Nil(t, got, c.name)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, c.name)
		var be *backend.Error
		require.ErrorAs(t, err, &be, c.name)
		assert.Equal(t, "put", be.Op, c.name)
		assert.Equal(t, "the/key", be.Key, c.name)
		assert.Contains(t, err.Error(), c.says, c.name)
		assert.NotContains(t, err.Error(), "\n", "%s: values are quoted", c.name)
	}
}

// manyEntries is n entries of size bytes each (key and value).
func manyEntries(n, size int) map[string]string {
	md := map[string]string{}
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		md[k] = strings.Repeat("v", size-len(k))
	}
	return md
}

func TestNormalizeContentType(t *testing.T) {
	for in, want := range map[string]string{
		"":                          backend.DefaultContentType,
		"text/plain":                "text/plain",
		"text/plain; charset=utf-8": "text/plain; charset=utf-8",
		"Text/HTML":                 "Text/HTML", // kept as given
		"application/vnd.example+json; version=2": "application/vnd.example+json; version=2",
		// Stores do not parse content types: S3, GCS and gocloud accept these.
		"text": "text", "text/": "text/", "not a type": "not a type", "text/plain; charset": "text/plain; charset",
		"text/plain; x=" + strings.Repeat("y", 260): "text/plain; x=" + strings.Repeat("y", 260),
	} {
		got, err := backend.NormalizeContentType("put", "k", in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{
		"text/plain\nX-Injected: 1", " text/plain", "text/plain\t",
		"text/plain; charset=ü", "text/plain; x=\x01", "text/plain; x=" + strings.Repeat("y", backend.MaxHeaderValue),
	} {
		got, err := backend.NormalizeContentType("put", "k", in)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "%q", in)
		assert.Empty(t, got, "%q", in)
	}
}

func TestMetadataSizeCountsTheWire(t *testing.T) {
	assert.Equal(t, len("x-amz-meta-")+1+3, backend.MetadataSize(map[string]string{"k": "abc"}))
	// "é" is 2 bytes; 4 bytes base64 plus "=?UTF-8?B?" and "?=".
	assert.Equal(t, len("x-amz-meta-")+1+len("=?UTF-8?B?w6k=?="), backend.MetadataSize(map[string]string{"k": "é"}))
	assert.Equal(t, len("x-amz-meta-")+1+len("=?UTF-8?B?YT0/Yg==?="), backend.MetadataSize(map[string]string{"k": "a=?b"}))
}

func TestCheckHTTPAttributes(t *testing.T) {
	ok := backend.HTTPAttributes{CacheControl: "max-age=3600, public", ContentDisposition: `attachment; filename="a b.pdf"`,
		ContentEncoding: "gzip", ContentLanguage: "en-GB"}
	require.NoError(t, backend.CheckHTTPAttributes("put", "k", ok))
	for _, bad := range []backend.HTTPAttributes{
		{CacheControl: "no-cache\r\nX-Injected: 1"},
		{ContentDisposition: `attachment; filename="ü.pdf"`},
		{ContentEncoding: " gzip"},
		{ContentLanguage: strings.Repeat("e", backend.MaxHeaderValue+1)},
	} {
		err := backend.CheckHTTPAttributes("put", "k", bad)
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, "%+v", bad)
	}
	_, err := backend.CheckPut("k", strings.NewReader(""), backend.PutOptions{Size: 0, HTTPAttributes: backend.HTTPAttributes{CacheControl: "\x00"}})
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.ErrorContains(t, err, "CacheControl")
}
