package main

import (
	"errors"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// parseMeta turns repeated --meta k=v flags into a map and checks it
// against the library's rules for metadata (backend.NormalizeMetadata),
// so that a value the store would refuse is an argument error (exit 2)
// found before anything is read or stored. Keys are lower-cased by the
// library.
func parseMeta(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	md := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usagef("--meta %q: want KEY=VALUE", p)
		}
		if _, err := backend.NormalizeMetadata("meta", "", map[string]string{k: v}); err != nil {
			return nil, usagef("--meta %q: %s", p, cause(err))
		}
		md[k] = v
	}
	// The rules on the whole: keys unique regardless of case, total size.
	if _, err := backend.NormalizeMetadata("meta", "", md); err != nil {
		return nil, usagef("--meta: %s", cause(err))
	}
	return md, nil
}

// checkContentType checks a --content-type value against the library's
// rules (backend.NormalizeContentType): a bad one is an argument error.
// An empty value means the default.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	if _, err := backend.NormalizeContentType("content-type", "", ct); err != nil {
		return usagef("--content-type: %s", cause(err))
	}
	return nil
}

// cause is the message of a library error without its "objstore: op:
// kind:" prefix, to put after the flag that it is about.
func cause(err error) string {
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err.Error()
	}
	return err.Error()
}
