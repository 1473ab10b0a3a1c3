package minio

import (
	"fmt"
	"strconv"
	"strings"
)

// maxExpandedEndpoints bounds what one ellipsis pattern may expand to, so
// that a typo such as {1...100000} fails instead of allocating.
const maxExpandedEndpoints = 1024

// expandEndpoints expands MinIO's ellipsis notation in every endpoint
// ("node{1...4}:9000" → node1:9000 ... node4:9000; several ellipses give
// every combination, left to right) and drops duplicates, keeping order.
func expandEndpoints(in []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, ep := range in {
		ep = strings.TrimSpace(ep)
		if ep == "" {
			return nil, errConfig("empty endpoint in the endpoint list")
		}
		exp, err := expandOne(ep)
		if err != nil {
			return nil, errConfig("endpoint %q: %v", ep, err)
		}
		for _, e := range exp {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
		if len(out) > maxExpandedEndpoints {
			return nil, errConfig("the endpoints expand to more than %d servers", maxExpandedEndpoints)
		}
	}
	return out, nil
}

// expandOne expands the first {A...B} of s, then the rest recursively.
func expandOne(s string) ([]string, error) {
	open := strings.Index(s, "{")
	if open < 0 {
		if strings.Contains(s, "}") {
			return nil, fmt.Errorf("'}' without '{'")
		}
		return []string{s}, nil
	}
	end := strings.Index(s[open:], "}")
	if end < 0 {
		return nil, fmt.Errorf("'{' without '}'")
	}
	end += open
	lo, hi, ok := strings.Cut(s[open+1:end], "...")
	if !ok {
		return nil, fmt.Errorf("%q is not a range like {1...4}", s[open:end+1])
	}
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || from < 0 || to < from {
		return nil, fmt.Errorf("%q is not an ascending range of non-negative numbers", s[open:end+1])
	}
	if to-from >= maxExpandedEndpoints {
		return nil, fmt.Errorf("%q expands to more than %d servers", s[open:end+1], maxExpandedEndpoints)
	}
	// A leading zero asks for zero padding to the width of the bound.
	width := 0
	if len(lo) > 1 && lo[0] == '0' {
		width = len(lo)
	}
	rest, err := expandOne(s[end+1:])
	if err != nil {
		return nil, err
	}
	var out []string
	for i := from; i <= to; i++ {
		for _, r := range rest {
			out = append(out, fmt.Sprintf("%s%0*d%s", s[:open], width, i, r))
			if len(out) > maxExpandedEndpoints {
				return nil, fmt.Errorf("expands to more than %d servers", maxExpandedEndpoints)
			}
		}
	}
	return out, nil
}
