package main

import "strings"

// parseMeta turns repeated --meta k=v flags into a map. Keys are
// normalised by the library (lower-cased); an empty key or a missing '='
// is a usage error.
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
		md[k] = v
	}
	return md, nil
}
