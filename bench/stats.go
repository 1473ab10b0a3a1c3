package main

import (
	"math"
	"slices"
	"time"
)

// median returns the median of xs (the mean of the two middle values for
// an even count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the p-th percentile (0..100) of ds by the
// nearest-rank method, or 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

// ratioToBest compares an objstore value with the best of the peers':
// above 1 means objstore is better, whichever direction is better for
// the row. It returns NaN when there is nothing to compare.
func ratioToBest(v float64, peers []float64, higherBetter bool) (best, ratio float64) {
	best = math.NaN()
	for _, p := range peers {
		if math.IsNaN(p) || p <= 0 {
			continue
		}
		if math.IsNaN(best) || higherBetter && p > best || !higherBetter && p < best {
			best = p
		}
	}
	if math.IsNaN(best) || math.IsNaN(v) || v <= 0 {
		return best, math.NaN()
	}
	if higherBetter {
		return best, v / best
	}
	return best, best / v
}
