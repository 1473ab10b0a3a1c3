package gocloud_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gocloud"
)

// utf16Less compares as Azure does: by UTF-16 code units.
func utf16Less(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

// gocloudEscapes reports whether gocloud's azureblob driver would escape
// anything in name (the characters it escapes, its own escape syntax, or
// "../").
func gocloudEscapes(name string) bool {
	return strings.ContainsAny(name, "\"#%?\\") || strings.Contains(name, "__0x") || strings.Contains(name, "../")
}

// alphabet mixes plain characters with every character the codec changes
// and its neighbours.
var alphabet = []rune{
	' ', '!', '"', '#', '$', '%', '&', '+', '-', '.', '/', '0', '9', '=', '>', '?', '@',
	'A', 'Z', '[', '\\', ']', '^', '_', 'a', 'z', '~', 'é', '\u20ac', '\uf8ff', '\uff5e',
	'\ufffc', '\ufffd', '\ufffe', '\uffff', '😀', '\U00010000', '\U0010fffd',
}

func randomKey(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(6) {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestAzureKeysRoundTripAndOrder(t *testing.T) {
	codec := gocloud.AzureKeys
	r := rand.New(rand.NewPCG(7, 9))
	keys := []string{"a b", "a%20b", "a+b", "\uff5e", "😀", "odd/back\\slash", `q"uote`, "x?y", "$HOME", "[1]", "a>b", "plain/key.txt"}
	for range 3000 {
		keys = append(keys, randomKey(r))
	}
	for _, k := range keys {
		name := codec.Encode(k)
		got, ok := codec.Decode(name)
		require.True(t, ok, "Decode(Encode(%q)) = Decode(%q) fails", k, name)
		require.Equal(t, k, got)
		require.False(t, gocloudEscapes(name) && !strings.Contains(k, "__0x") && !strings.Contains(k, "../"),
			"gocloud would escape the name %q of %q", name, k)
		require.True(t, utf8.ValidString(name))
	}
	for i := range len(keys) - 1 {
		a, b := keys[i], keys[i+1]
		byteOrder := strings.Compare(a, b)
		ea, eb := codec.Encode(a), codec.Encode(b)
		assert.Equal(t, byteOrder, utf16Less(ea, eb), "UTF-16 order of the names of %q, %q", a, b)
		assert.Equal(t, byteOrder, strings.Compare(ea, eb), "byte order of the names of %q, %q", a, b)
		assert.Equal(t, strings.HasPrefix(b, a), strings.HasPrefix(eb, ea), "prefix %q of %q", a, b)
	}
	// Plain keys are their own names.
	for _, k := range []string{"logs/2024-01-01/app.log", "a/b c/d_e+f(g)~h@i!j&k", "日本語/ключ/ü"} {
		assert.Equal(t, k, codec.Encode(k))
	}
}

func TestAzureKeysDecodeRejectsForeignNames(t *testing.T) {
	for _, name := range []string{"a$", "a$2", "a$zz", "a$41", "a$2a", ">40", "[5D", "a#b", "a%b", "a?b", `a\b`, `a"b`,
		"😀", "a\ufffd", "a\ufffdx", "a\ufffe", "\xff"} {
		_, ok := gocloud.AzureKeys.Decode(name)
		assert.False(t, ok, "Decode(%q)", name)
	}
}

func FuzzAzureKeys(f *testing.F) {
	for _, s := range []string{"a", "a%20b", "😀", "\uff5e", `x\y`, "$", "\ufffd", "__0x41__"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if backend.ValidatePrefix("list", key) != nil {
			return
		}
		name := gocloud.AzureKeys.Encode(key)
		got, ok := gocloud.AzureKeys.Decode(name)
		if !ok || got != key {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", key, got, ok)
		}
		if back, ok := gocloud.AzureKeys.Decode(key); ok && gocloud.AzureKeys.Encode(back) != key {
			t.Fatalf("Encode(Decode(%q)) = %q: two keys for one name", key, gocloud.AzureKeys.Encode(back))
		}
	})
}
