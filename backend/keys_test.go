package backend_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// validKeys must be accepted by ValidateKey (and so by every driver).
var validKeys = []string{
	"a",
	"a/b",
	"a/b/c.txt",
	"with space",
	" leading space",
	"trailing space ",
	"plus+percent%20hash#question?back\\slash~tilde",
	"semi;equals=amp&comma,",
	`quotes"and'`,
	"unicode/日本語/ключ",
	"emoji/😀",
	"nfd/e\u0301",
	"nbsp\u00a0",
	".hidden",
	"a/.hidden",
	"..dots",
	"dots..",
	"...",
	"a/...",
	"a-b",
	"a.b",
	"\\",
	"~",
	"-",
	// Backslashes are ordinary characters; only a '.' or '..' between
	// them (what MinIO takes for path traversal) is refused.
	`a\b`,
	`\a`,
	`a\`,
	`a\\b`,
	`a\.b`,
	`a\..b`,
	`a\...\b`,
	`a\.hidden`,
	`a\b.`,
	`a\b..`,
	`a\. x`,
	"a/.. x",
	"a/x ..",
	"a/. .",
	"a/\u00a0.",
	"a/..\u00a0",
	strings.Repeat("x", backend.MaxKeyLen),
	strings.Repeat("é", backend.MaxKeyLen/2),
	strings.Repeat("a/", backend.MaxKeyLen/2-1) + "bc",
}

// invalidKeys must be refused, with the reason.
var invalidKeys = []struct {
	key, rule string
}{
	{"", "empty"},
	{"/", "starts with '/'"},
	{"//", "starts with '/'"},
	{"/a", "starts with '/'"},
	{"/etc/passwd", "starts with '/'"},
	{"a/", "ends with '/'"},
	{"a/b/", "ends with '/'"},
	{"a//b", "'//'"},
	{".", "'.' or '..' segment"},
	{"..", "'.' or '..' segment"},
	{"./a", "'.' or '..' segment"},
	{"../a", "'.' or '..' segment"},
	{"../../etc/passwd", "'.' or '..' segment"},
	{"a/.", "'.' or '..' segment"},
	{"a/..", "'.' or '..' segment"},
	{"a/./b", "'.' or '..' segment"},
	{"a/../b", "'.' or '..' segment"},
	{`a\..\b`, "'.' or '..' path component"},
	{`a\.\b`, "'.' or '..' path component"},
	{`..\b`, "'.' or '..' path component"},
	{`.\b`, "'.' or '..' path component"},
	{`a\..`, "'.' or '..' path component"},
	{`a\.`, "'.' or '..' path component"},
	{`\..`, "'.' or '..' path component"},
	{`\..\`, "'.' or '..' path component"},
	{`x/a\..\b/y`, "'.' or '..' path component"},
	{`a/\../b`, "'.' or '..' path component"},
	{`a\\..\\b`, "'.' or '..' path component"},
	{"a/ . /b", "'.' or '..' path component"},
	{"a/ ..", "'.' or '..' path component"},
	{"a/.. ", "'.' or '..' path component"},
	{" ..", "'.' or '..' path component"},
	{". ", "'.' or '..' path component"},
	{`a\ .. \b`, "'.' or '..' path component"},
	{"a\x00b", "control character"},
	{"a\rb", "control character"},
	{"a\nb", "control character"},
	{"a\r\nb", "control character"},
	{"a\tb", "control character"},
	{"a\x7fb", "control character"},
	{"a\u0085b", "control character"},
	{"\x1b[31mred", "control character"},
	{"\xff", "UTF-8"},
	{"a\xc3", "UTF-8"},
	{"a\xed\xa0\x80", "UTF-8"}, // an encoded UTF-16 surrogate
	{"\xc0\xaf", "UTF-8"},      // an overlong '/'
	{strings.Repeat("x", backend.MaxKeyLen+1), "longer than 1024"},
	{strings.Repeat("é", backend.MaxKeyLen/2) + "x", "longer than 1024"},
}

func TestValidateKeyAccepts(t *testing.T) {
	for _, k := range validKeys {
		assert.NoError(t, backend.ValidateKey("put", k), "%q", k)
		assert.NoError(t, backend.ValidatePrefix("list", k), "a valid key is a valid prefix: %q", k)
	}
}

func TestValidateKeyRefuses(t *testing.T) {
	for _, c := range invalidKeys {
		err := backend.ValidateKey("stat", c.key)
		require.Error(t, err, "%q", c.key)
		assert.ErrorIs(t, err, backend.ErrInvalidKey, "%q", c.key)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "stat", be.Op)
		assert.Equal(t, c.key, be.Key)
		msg := err.Error()
		assert.Contains(t, msg, c.rule, "the error of %q names the rule", c.key)
		assert.True(t, strings.HasPrefix(msg, "objstore: stat"), "%q", msg)
		if c.key != "" {
			assert.Contains(t, msg, strconv.Quote(c.key), "the error names the key, quoted")
		}
		assert.Contains(t, msg, "(keys are 1-1024 bytes", "the error gives the hint")
		assert.NotContains(t, msg, "\x00", "the key is quoted in the message")
		assert.NotContains(t, msg, "\n")
	}
}

func TestValidatePrefix(t *testing.T) {
	for _, p := range []string{"", "a", "a/", "a/b", "a/b-", "a/b.", "a/..b", "a/.hid", "é", "with space/", strings.Repeat("p", backend.MaxKeyLen)} {
		assert.NoError(t, backend.ValidatePrefix("list", p), "%q", p)
	}
	for _, p := range []string{"/", "/x", "../", "..", ".", "./", "a/../", "a/..", "a/./b", "a/.", "a//", "a//b", `a\..\`, `a\..`, `..\b`, "a/ . /", "a/ ..", "x\x00", "x\n", "\xff", strings.Repeat("p", backend.MaxKeyLen+1)} {
		err := backend.ValidatePrefix("list", p)
		assert.ErrorIs(t, err, backend.ErrInvalidKey, "%q", p)
		var be *backend.Error
		if assert.True(t, errors.As(err, &be), "%q", p) {
			assert.Equal(t, "list", be.Op)
			assert.Equal(t, p, be.Key)
		}
	}
}
