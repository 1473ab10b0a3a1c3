package gocloud

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// gocloud's azureblob escapes blob names and metadata keys that Azure
// cannot take as "__0x<hex>__" per rune, and URL-escapes metadata values.
// getAzure and putAzure speak to Azure directly, so they escape and
// unescape the same way, and gocloud reads back what they write (and the
// other way round).

// blobNameRune says which runes of a blob name gocloud escapes: a
// backslash, the characters Azure mishandles, a trailing "/", and the "/"
// of "../".
func blobNameRune(r []rune, i int) bool {
	c := r[i]
	switch {
	case c == '\\', c < 32, c == '"', c == '#', c == '%', c == '?', c == 127:
		return true
	case i == len(r)-1 && c == '/':
		return true
	case i > 1 && c == '/' && r[i-1] == '.' && r[i-2] == '.':
		return true
	}
	return false
}

// metadataKeyRune says which runes of a metadata key gocloud escapes: all
// but ASCII letters, digits and '_', and a leading digit (Azure wants C#
// identifiers).
func metadataKeyRune(r []rune, i int) bool {
	c := r[i]
	switch {
	case i == 0 && c >= '0' && c <= '9':
		return true
	case c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'):
		return false
	}
	return true
}

// hexEscape writes every rune that escape selects, and the start of every
// text that hexUnescape would read as an escape, as "__0x<hex>__".
func hexEscape(s string, escape func(r []rune, i int) bool) string {
	runes := []rune(s)
	var out strings.Builder
	for i, c := range runes {
		if _, _, seq := unescapeAt(runes, i); escape(runes, i) || seq {
			fmt.Fprintf(&out, "__%#x__", c)
		} else {
			out.WriteRune(c)
		}
	}
	return out.String()
}

// hexUnescape undoes hexEscape: every "__0x<hex>__" is the rune of that
// code point.
func hexUnescape(s string) string {
	if !strings.Contains(s, "__0x") {
		return s
	}
	runes := []rune(s)
	var out strings.Builder
	for i := 0; i < len(runes); i++ {
		if c, last, ok := unescapeAt(runes, i); ok {
			out.WriteRune(c)
			i = last
			continue
		}
		out.WriteRune(runes[i])
	}
	return out.String()
}

// unescapeAt reads an escape sequence at r[i]: "__0x", hex digits up to the
// next '_', then "__". It returns the rune and the index of the sequence's
// last rune.
func unescapeAt(r []rune, i int) (c rune, last int, ok bool) {
	if len(r)-i < 4 || string(r[i:i+4]) != "__0x" {
		return 0, 0, false
	}
	j := i + 4
	for j < len(r) && r[j] != '_' {
		j++
	}
	if j+1 >= len(r) || r[j+1] != '_' {
		return 0, 0, false
	}
	v, err := strconv.ParseInt(string(r[i+4:j]), 16, 32)
	if err != nil {
		return 0, 0, false
	}
	return rune(v), j + 1, true
}

// pathEscape and pathUnescape are the escaping of metadata values.
func pathEscape(s string) string { return url.PathEscape(s) }

func pathUnescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
