package main

import (
	"math/big"
	"strings"
)

// sizeUnits are the suffixes parseSize accepts, longest first.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// parseSize parses the value of the size flag flag ("--chunk-size"): a
// byte count such as 4096, 64KiB, 1MiB, 1M (K, M and G alone are binary
// units, as in dd) or 1.5MiB (a fraction that makes whole bytes).
func parseSize(flag, s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, ok := new(big.Rat).SetString(t)
	if !ok || strings.ContainsAny(t, "/eE") || t == "" {
		return 0, usagef("%s %q: not a size; write a number of bytes with an optional unit, e.g. 65536, 64KiB, 1MiB or 1.5MiB", flag, s)
	}
	n.Mul(n, new(big.Rat).SetInt64(mult))
	switch {
	case n.Sign() <= 0:
		return 0, usagef("%s %q: the size must be more than 0 bytes", flag, s)
	case !n.IsInt():
		return 0, usagef("%s %q is not a whole number of bytes (%s); e.g. 1.5MiB or 1536KiB is", flag, s, n.FloatString(3))
	case !n.Num().IsInt64() || n.Num().Int64() > 1<<62:
		return 0, usagef("%s %q: too large", flag, s)
	}
	return n.Num().Int64(), nil
}
