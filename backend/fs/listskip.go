package fs

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// A listing goes on past a directory or object file that the process may
// not read (a root-owned 0700 directory in a store opened by another
// user): hiding every other object behind one such entry would be worse
// than leaving it out. Left out silently, though, it would make the
// listing look complete, and RemoveObjects report success while objects
// remain. So the listing returns every object it can read and then ends
// with an ErrPermission error that names the entries left out.
//
// Pages are stateless, so what earlier pages left out travels in the page
// token: a plain token is the last key of the previous page; a token of a
// listing that left entries out is that key, a NUL (which no key
// contains) and the base64url JSON of a skippedToken. The last page of
// such a listing has a token too, and the call with it returns the error.

// maxSkipNamed is how many left-out entries an error names; the others
// are counted.
const maxSkipNamed = 8

// skipped is what a listing left out so far, in listing order.
type skipped struct {
	named []string // keys of files, and key prefixes ("a/b/") of directories
	n     int      // how many, named or not
	cause error    // the first such error of this call; nil if all came with the token
}

// skippedToken is skipped as carried in a page token.
type skippedToken struct {
	Named []string `json:"s"`
	N     int      `json:"n"`
}

// add records that the entry at key (a key prefix ending in '/' for a
// directory) was left out because of err.
func (s *skipped) add(key string, err error) {
	s.n++
	if len(s.named) < maxSkipNamed {
		s.named = append(s.named, key)
	}
	if s.cause == nil {
		s.cause = err
	}
}

// snapshot returns a copy that later adds to s do not change.
func (s *skipped) snapshot() skipped {
	return skipped{named: s.named[:len(s.named):len(s.named)], n: s.n, cause: s.cause}
}

// token is the page token that resumes after key and carries s.
func (s skipped) token(key string) string {
	if s.n == 0 {
		return key
	}
	js, _ := json.Marshal(skippedToken{Named: s.named, N: s.n})
	return key + "\x00" + base64.RawURLEncoding.EncodeToString(js)
}

// parseToken splits a page token into the key to resume after and what
// earlier pages left out.
func parseToken(tok string) (after string, s skipped, err error) {
	after, rest, ok := strings.Cut(tok, "\x00")
	if !ok {
		return tok, skipped{}, nil
	}
	var st skippedToken
	js, err := base64.RawURLEncoding.DecodeString(rest)
	if err == nil {
		err = json.Unmarshal(js, &st)
	}
	if err != nil || st.N < len(st.Named) || st.N <= 0 || len(st.Named) > maxSkipNamed {
		return "", skipped{}, backend.NewError("list", "", backend.ErrInvalidArgument,
			errors.New("malformed page token (not one that this driver returned)"))
	}
	return after, skipped{named: st.Named, n: st.N}, nil
}

// err is the error that ends a listing that left entries out.
func (s skipped) err() error {
	var sb strings.Builder
	if s.n == 1 {
		sb.WriteString("1 entry of the store could not be read for want of permission and was left out of the listing: ")
	} else {
		fmt.Fprintf(&sb, "%d entries of the store could not be read for want of permission and were left out of the listing: ", s.n)
	}
	for i, k := range s.named {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%q", k)
	}
	if more := s.n - len(s.named); more > 0 {
		fmt.Fprintf(&sb, " and %d more", more)
	}
	sb.WriteString(" (a name ending in / is a directory, with whatever objects it holds); every other object was listed")
	cause := s.cause
	if cause == nil {
		cause = iofs.ErrPermission
	}
	return fmt.Errorf("%s: %w", sb.String(), cause)
}
