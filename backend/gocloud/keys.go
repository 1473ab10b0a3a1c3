package gocloud

import (
	"strings"
	"unicode/utf8"
)

// KeyCodec maps object keys to the names the bucket stores, for stores
// whose names or listing order differ from keys compared byte by byte.
//
// Encode must be injective, must map every key that starts with a prefix
// p to a name that starts with Encode(p) (and no other key), and must
// preserve order: a < b (bytes) exactly when the store sorts Encode(a)
// before Encode(b). Decode reverses Encode and reports false for a name
// that Encode cannot produce (an object written by another program); List
// leaves such names out.
type KeyCodec interface {
	Encode(key string) string
	Decode(name string) (key string, ok bool)
}

// RawKeys stores keys as they are: the default of New. Listing order is
// then the order of the gocloud driver, after its own escaping.
var RawKeys KeyCodec = rawKeys{}

type rawKeys struct{}

func (rawKeys) Encode(key string) string          { return key }
func (rawKeys) Decode(name string) (string, bool) { return name, true }

// AzureKeys is the key encoding of azblob:// backends. Azure Blob Storage
// (and Azurite) list blob names in UTF-16 code-unit order, and gocloud's
// azureblob driver escapes the characters  " # % ? \  to "__0x<hex>__";
// both would make List disagree with the byte order that every other
// driver keeps (a key with '%' would sort after keys with letters, and
// "～" (U+FF5E) after "😀" (U+1F600)). AzureKeys maps keys to names that
// gocloud leaves alone and that Azure sorts in byte order of the keys,
// changing as few characters as it can:
//
//   - '"' '#' '$' '%' become "$22" "$23" "$24" "$25";
//   - '>' '?' become ">3E" ">3F";
//   - '[' '\' become "[5B" "[5C";
//   - U+FFFD U+FFFE U+FFFF become U+FFFD followed by '0' '1' '2';
//   - a character above U+FFFF (emoji, ...) is kept, after a U+FFFD.
//
// Every other character, '/' and all of ASCII's letters, digits and
// punctuation but the eight above included, is stored unchanged, so most
// keys are their own names. Order holds because each group is placed where
// its characters sort: "$22".."$25" sort between '!' and '&', ">3E" and
// ">3F" between '=' and '@', "[5B" and "[5C" between 'Z' and ']', and the
// names that start with U+FFFD after every other character; and because no
// code is the beginning of another, a prefix of a key encodes to a prefix
// of its name.
//
// Two cases are not covered, both rare: a key holding text that gocloud
// takes for its own escape ("__0x41__"), and a key with a "../" inside a
// segment name ("a../b"); gocloud escapes those, and such keys may be
// listed out of order (they still round-trip).
var AzureKeys KeyCodec = azureKeys{}

type azureKeys struct{}

const (
	replacementChar = '\uFFFD'
	hexDigits       = "0123456789ABCDEF"
)

func (azureKeys) Encode(key string) string {
	if !needsAzureEncoding(key) {
		return key
	}
	var b strings.Builder
	b.Grow(len(key) + 8)
	for _, r := range key {
		switch {
		case r == '"' || r == '#' || r == '$' || r == '%':
			b.WriteByte('$')
			writeHex(&b, byte(r))
		case r == '>' || r == '?':
			b.WriteByte('>')
			writeHex(&b, byte(r))
		case r == '[' || r == '\\':
			b.WriteByte('[')
			writeHex(&b, byte(r))
		case r >= 0xFFFD && r <= 0xFFFF:
			b.WriteRune(replacementChar)
			b.WriteByte(byte('0' + r - 0xFFFD))
		case r > 0xFFFF:
			b.WriteRune(replacementChar)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsAzureEncoding(key string) bool {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '"' || c == '#' || c == '$' || c == '%' || c == '>' || c == '?' || c == '[' || c == '\\':
			return true
		case c == 0xEF || c >= 0xF0: // the lead byte of U+F000..U+FFFF, or of a rune above U+FFFF
			return true
		}
	}
	return false
}

func writeHex(b *strings.Builder, c byte) {
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&15])
}

func (azureKeys) Decode(name string) (string, bool) {
	if !needsAzureEncoding(name) {
		return name, true
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		c := name[i]
		switch c {
		case '$', '>', '[':
			if i+3 > len(name) {
				return "", false
			}
			v, ok := parseHex(name[i+1 : i+3])
			if !ok || !validEscape(c, v) {
				return "", false
			}
			b.WriteByte(v)
			i += 3
			continue
		case '"', '#', '%', '?', '\\':
			return "", false // never in an encoded name
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return "", false
		case r == replacementChar:
			next, nsize := utf8.DecodeRuneInString(name[i+size:])
			switch {
			case next >= '0' && next <= '2':
				b.WriteRune(0xFFFD + next - '0')
			case next > 0xFFFF:
				b.WriteRune(next)
			default:
				return "", false
			}
			i += size + nsize
		case r >= 0xFFFE || r > 0xFFFF:
			return "", false // stored only after U+FFFD
		default:
			b.WriteRune(r)
			i += size
		}
	}
	return b.String(), true
}

// validEscape reports whether v is a character that the escape introduced
// by lead stands for.
func validEscape(lead, v byte) bool {
	switch lead {
	case '$':
		return v == '"' || v == '#' || v == '$' || v == '%'
	case '>':
		return v == '>' || v == '?'
	default: // '['
		return v == '[' || v == '\\'
	}
}

func parseHex(s string) (byte, bool) {
	var v byte
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(hexDigits, s[i])
		if d < 0 {
			return 0, false
		}
		v = v<<4 | byte(d)
	}
	return v, true
}
