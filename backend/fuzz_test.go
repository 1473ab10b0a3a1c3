package backend_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/objstore-dev/objstore/backend"
)

// The fuzz targets check the validators against rules written here a
// second time, independently of keys.go and metadata.go. `go test` runs
// their seed corpora (testdata/fuzz/<Name>/ and the f.Add calls);
// `make fuzz` runs each for a while.

// keyRuleBroken restates the key rules of ValidateKey: "" when key obeys
// them all, else the rule it breaks.
func keyRuleBroken(key string) string {
	switch {
	case len(key) == 0 || len(key) > backend.MaxKeyLen:
		return "length"
	case !utf8.ValidString(key):
		return "UTF-8"
	}
	for _, r := range key {
		if r < 0x20 || r >= 0x7f && r < 0xa0 { // C0, DEL, C1
			return "control character"
		}
	}
	// Splitting on '/' makes a leading '/', a trailing '/' and "//" all
	// empty segments.
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "segment"
		}
	}
	// MinIO's path-traversal rule: split at '\' too, spaces trimmed.
	for _, c := range strings.FieldsFunc(key, func(r rune) bool { return r == '/' || r == '\\' }) {
		if c = strings.Trim(c, " "); c == "." || c == ".." {
			return "path component"
		}
	}
	return ""
}

func FuzzValidateKey(f *testing.F) {
	for _, k := range validKeys {
		f.Add(k)
	}
	for _, c := range invalidKeys {
		f.Add(c.key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := backend.ValidateKey("put", key)
		broken := keyRuleBroken(key)
		if err == nil {
			if broken != "" {
				t.Fatalf("ValidateKey accepts %q, which breaks the %s rule", key, broken)
			}
			// Consequences the fs driver and URL-based drivers rely on.
			if path.Clean(key) != key {
				t.Fatalf("accepted key %q is not clean: path.Clean gives %q", key, path.Clean(key))
			}
			if !filepath.IsLocal(key) {
				t.Fatalf("accepted key %q is not local to a directory", key)
			}
			if perr := backend.ValidatePrefix("list", key); perr != nil {
				t.Fatalf("accepted key %q is not a valid prefix: %v", key, perr)
			}
			return
		}
		if broken == "" {
			t.Fatalf("ValidateKey refuses %q, which obeys every rule: %v", key, err)
		}
		var be *backend.Error
		if !errors.Is(err, backend.ErrInvalidKey) || !errors.As(err, &be) || be.Key != key || be.Op != "put" {
			t.Fatalf("ValidateKey(%q) = %#v, want an *Error for put of the key with ErrInvalidKey", key, err)
		}
	})
}

func FuzzValidatePrefix(f *testing.F) {
	for _, p := range []string{"", "a", "a/", "a/b-", "../", "/x", "a/../", "a//", "..", ".", "a/.", "a/..b", "x\x00", "\xff"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		err := backend.ValidatePrefix("list", prefix)
		if prefix == "" {
			if err != nil {
				t.Fatalf("the empty prefix is refused: %v", err)
			}
			return
		}
		// A non-empty prefix obeys the key rules once a trailing '/' is
		// dropped: what it names is a key or the "directory" of keys.
		broken := keyRuleBroken(strings.TrimSuffix(prefix, "/"))
		if prefix == "/" {
			broken = "segment"
		}
		if len(prefix) > backend.MaxKeyLen {
			broken = "length"
		}
		switch {
		case err == nil && broken != "":
			t.Fatalf("ValidatePrefix accepts %q, which breaks the %s rule", prefix, broken)
		case err != nil && broken == "":
			t.Fatalf("ValidatePrefix refuses %q, which obeys every rule: %v", prefix, err)
		case err != nil && !errors.Is(err, backend.ErrInvalidKey):
			t.Fatalf("ValidatePrefix(%q) = %v, want ErrInvalidKey", prefix, err)
		}
		if err == nil {
			// No accepted prefix reaches above the store.
			if c := path.Clean("root/" + prefix); c != "root" && !strings.HasPrefix(c, "root/") {
				t.Fatalf("accepted prefix %q leaves the root: %q", prefix, c)
			}
		}
	})
}

// metadataBroken restates the rules of NormalizeMetadata for its output.
func metadataBroken(md map[string]string) string {
	total := 0
	for k, v := range md {
		// Restated: the wire size of an S3 metadata header.
		sent := len(v)
		if strings.Contains(v, "=?") || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
			sent = len("=?UTF-8?B?") + len(base64.StdEncoding.EncodeToString([]byte(v))) + len("?=")
		}
		total += len("x-amz-meta-") + len(k) + sent
		if len(k) < 1 || len(k) > 128 || k[0] < 'a' || k[0] > 'z' {
			return "key length or first letter: " + k
		}
		for _, c := range []byte(k) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return "key character: " + k
			}
		}
		if v == "" || !utf8.ValidString(v) {
			return "value empty or not UTF-8: " + v
		}
		first, _ := utf8.DecodeRuneInString(v)
		last, _ := utf8.DecodeLastRuneInString(v)
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			return "value with outer space: " + v
		}
		for _, r := range v {
			if unicode.IsControl(r) {
				return "value control character: " + v
			}
		}
	}
	if total > backend.MaxMetadataSize {
		return "size"
	}
	return ""
}

func FuzzNormalizeMetadata(f *testing.F) {
	f.Add("Owner", "Alice", "x-trace_id", "héllo ✓", uint16(1))
	f.Add("a", "1", "A", "2", uint16(1))
	f.Add("my key", "v", "k", "", uint16(1))
	f.Add("k", " v", "k2", "a\nb", uint16(1))
	f.Add("k", "v", "k2", "w", uint16(2000))
	f.Add("ключ", "v", "k", "\xff", uint16(1))
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string, repeat uint16) {
		// repeat lets the fuzzer reach the size limit with short inputs.
		in := map[string]string{k1: v1, k2: strings.Repeat(v2, int(repeat%3000))}
		out, err := backend.NormalizeMetadata("put", "the/key", in)
		if err != nil {
			var be *backend.Error
			if out != nil || !errors.Is(err, backend.ErrInvalidArgument) || !errors.As(err, &be) || be.Op != "put" || be.Key != "the/key" {
				t.Fatalf("NormalizeMetadata(%q) = %v, %#v; want nil and an *Error with ErrInvalidArgument", in, out, err)
			}
			return
		}
		if why := metadataBroken(out); why != "" {
			t.Fatalf("NormalizeMetadata(%q) = %q, which breaks a rule: %s", in, out, why)
		}
		if len(out) != len(in) {
			t.Fatalf("NormalizeMetadata(%q) = %q: entries lost or merged", in, out)
		}
		for k, v := range in {
			if got, ok := out[strings.ToLower(k)]; !ok || got != v {
				t.Fatalf("NormalizeMetadata(%q) = %q: %q is not %q lower-cased with its value kept", in, out, k, k)
			}
		}
		again, err := backend.NormalizeMetadata("put", "the/key", out)
		if err != nil || !maps.Equal(again, out) {
			t.Fatalf("normalising %q again gives %q, %v; want the same map", out, again, err)
		}
	})
}

func FuzzResolveRange(f *testing.F) {
	f.Add(int64(100), int64(0), int64(-1))
	f.Add(int64(100), int64(100), int64(5))
	f.Add(int64(100), int64(101), int64(-1))
	f.Add(int64(0), int64(0), int64(0))
	f.Add(int64(100), int64(95), int64(1<<62))
	f.Fuzz(func(t *testing.T, size, offset, length int64) {
		if size < 0 || offset < 0 { // callers validated these (CheckGet; sizes are never negative)
			return
		}
		off, n, err := backend.ResolveRange("k", size, backend.GetOptions{Offset: offset, Length: length})
		if offset > size {
			if !errors.Is(err, backend.ErrInvalidArgument) {
				t.Fatalf("offset %d past the end of %d: %v, want ErrInvalidArgument", offset, size, err)
			}
			return
		}
		want := size - offset
		if length >= 0 && length < want {
			want = length
		}
		if err != nil || off != offset || n != want || off+n > size || n < 0 {
			t.Fatalf("ResolveRange(size %d, offset %d, length %d) = %d, %d, %v; want %d, %d", size, offset, length, off, n, err, offset, want)
		}
	})
}

func FuzzExactReader(f *testing.F) {
	f.Add([]byte("0123456789"), int64(10), uint8(3))
	f.Add([]byte("0123456789"), int64(9), uint8(9))
	f.Add([]byte("0123456789"), int64(11), uint8(1))
	f.Add([]byte{}, int64(0), uint8(0))
	f.Add([]byte{}, int64(1), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, size int64, chunk uint8) {
		if size < 0 {
			return
		}
		r := backend.ExactReader("k", bytes.NewReader(data), size)
		// Read in chunks of the fuzzer's choosing, as uploaders do.
		buf := make([]byte, int(chunk)+1)
		var got []byte
		var err error
		for {
			var n int
			n, err = r.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if int64(len(data)) == size {
			if err != io.EOF || !bytes.Equal(got, data) {
				t.Fatalf("exact size %d: read %d bytes, %v", size, len(got), err)
			}
			return
		}
		if !errors.Is(err, backend.ErrInvalidArgument) {
			t.Fatalf("%d bytes declared as %d: %v, want ErrInvalidArgument", len(data), size, err)
		}
		if int64(len(got)) > size {
			t.Fatalf("%d bytes declared as %d: delivered %d", len(data), size, len(got))
		}
		// The error is sticky.
		if _, again := r.Read(buf); !errors.Is(again, backend.ErrInvalidArgument) {
			t.Fatalf("after the error, Read gives %v", again)
		}
	})
}
