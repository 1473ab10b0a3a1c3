package prefix

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/objstore-dev/objstore/backend"
)

// checkPrefix is the rule for the prefix of a view: what
// backend.ValidatePrefix accepts, not empty, ending in "/" (so that the
// view is a whole "directory": a view "logs" would have to show "logs-old"
// as "-old"), and short enough to leave room for a key.
func checkPrefix(prefix string) error {
	const op = "prefix"
	if err := backend.ValidatePrefix(op, prefix); err != nil {
		return err
	}
	var problem string
	switch {
	case prefix == "":
		problem = `the prefix is empty (a view of the whole store is the store itself)`
	case !strings.HasSuffix(prefix, "/"):
		problem = fmt.Sprintf("the prefix must end with '/' (use %q)", prefix+"/")
	case len(prefix) >= backend.MaxKeyLen:
		problem = fmt.Sprintf("the prefix leaves no room for a key of %d bytes at most", backend.MaxKeyLen)
	default:
		return nil
	}
	return backend.NewError(op, prefix, backend.ErrInvalidKey, errors.New(problem))
}

// full is the inner key (or prefix) of a relative one.
func (b *Backend) full(rel string) string { return b.prefix + rel }

// rel is the relative key of an inner one, and whether the inner key is
// inside the view. The prefix itself (a "folder" object other tools make)
// is not: "" names no object.
func (b *Backend) rel(full string) (string, bool) {
	if len(full) <= len(b.prefix) || !strings.HasPrefix(full, b.prefix) {
		return "", false
	}
	return full[len(b.prefix):], true
}

// checkLen refuses a key that is longer than backend.MaxKeyLen with the
// prefix: in a view, keys are at most MaxKeyLen-len(prefix) bytes.
func (b *Backend) checkLen(op, key string) error {
	if len(b.prefix)+len(key) > backend.MaxKeyLen {
		return backend.NewError(op, key, backend.ErrInvalidKey,
			fmt.Errorf("with the view's prefix %q the key is longer than %d bytes (keys of this view are at most %d bytes)",
				b.prefix, backend.MaxKeyLen, backend.MaxKeyLen-len(b.prefix)))
	}
	return nil
}

// checkListedKey checks a key of a RemoveMany whose context says it came
// from a listing (backend.WithListedKeys). The inner backend takes such
// keys as they are, and a backend that resolved them as paths would take
// "view/../x" for "x", outside the view. fs refuses such keys itself and
// S3-like stores take them as plain names, but the view relies on
// neither: whoever made the key, a "." or ".." component (between '/' or
// '\', spaces trimmed, as ValidateKey defines it) is refused here, and so
// is the empty key, as backend.CheckRemoveKeys does. A store that really
// holds an object named "view/../x" (S3 can) lists it in the view as
// "../x", but the view does not remove it; the inner backend can.
func checkListedKey(key string) error {
	if key == "" {
		return backend.NewError("remove", key, backend.ErrInvalidKey, errors.New("key is empty"))
	}
	for seg := range strings.SplitSeq(key, "/") {
		for c := range strings.SplitSeq(seg, `\`) {
			if c = strings.TrimFunc(c, asciiSpace); c == "." || c == ".." {
				return backend.NewError("remove", key, backend.ErrInvalidKey,
					errors.New("a listed key with a '.' or '..' component could name an object outside the view"))
			}
		}
	}
	return nil
}

func asciiSpace(r rune) bool { return r < utf8.RuneSelf && unicode.IsSpace(r) }
