package s3core_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/internal/s3core"
)

func TestEncodeValue(t *testing.T) {
	cases := []struct {
		in, sent string
	}{
		{"plain value", "plain value"},
		{"a=b?c", "a=b?c"},
		{"x  y ~!@#$%^&*()", "x  y ~!@#$%^&*()"},
		{"café", "=?UTF-8?B?Y2Fmw6k=?="},
		{"=?UTF-8?B?Zm9v?=", "=?UTF-8?B?PT9VVEYtOD9CP1ptOXY/PQ==?="}, // looks encoded: encoded again
		{"a =? b", "=?UTF-8?B?YSA9PyBi?="},
	}
	for _, c := range cases {
		sent := s3core.EncodeValue(c.in)
		assert.Equal(t, c.sent, sent, "EncodeValue(%q)", c.in)
		assert.Equal(t, c.in, s3core.DecodeValue(sent), "round trip of %q", c.in)
	}
}

func TestDecodeForeignWords(t *testing.T) {
	// Values other tools (the AWS console, mail-style encoders) write.
	assert.Equal(t, "café", s3core.DecodeValue("=?utf-8?q?caf=C3=A9?="))
	assert.Equal(t, "café olé", s3core.DecodeValue("=?UTF-8?B?Y2Fmw6k=?= =?UTF-8?B?IG9sw6k=?="))
	assert.Equal(t, "x café y", s3core.DecodeValue("x =?utf-8?q?caf=C3=A9?= y"))
	// Not valid RFC 2047: returned as it is.
	assert.Equal(t, "=?broken", s3core.DecodeValue("=?broken"))
	assert.Equal(t, "=?UTF-8?B?!!!?=", s3core.DecodeValue("=?UTF-8?B?!!!?="))
}

func TestMapRoundTrip(t *testing.T) {
	md := map[string]string{"a": "1", "unicode": "日本語 ✓", "tricky": "=?x?="}
	sent := s3core.EncodeMetadata(md)
	for _, v := range sent {
		for i := 0; i < len(v); i++ {
			require.True(t, v[i] >= 0x20 && v[i] <= 0x7e, "header value %q is not printable ASCII", v)
		}
	}
	// Servers may return keys in any case; Decode lower-cases them.
	back := map[string]string{}
	for k, v := range sent {
		back[strings.ToUpper(k)] = v
	}
	assert.Equal(t, md, s3core.DecodeMetadata(back))
	assert.Nil(t, s3core.EncodeMetadata(nil))
	assert.Nil(t, s3core.DecodeMetadata(map[string]string{}))
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "café", "=?", "=?UTF-8?B?Zm9v?=", "日本", "?=", "=?utf-8?q?x?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			t.Skip("metadata values are valid UTF-8 (backend.NormalizeMetadata)")
		}
		sent := s3core.EncodeValue(v)
		for i := 0; i < len(sent); i++ {
			if sent[i] < 0x20 || sent[i] > 0x7e {
				t.Fatalf("EncodeValue(%q) = %q is not printable ASCII", v, sent)
			}
		}
		if got := s3core.DecodeValue(sent); got != v {
			t.Fatalf("DecodeValue(EncodeValue(%q)) = %q", v, got)
		}
	})
}
