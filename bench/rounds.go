package main

import (
	"context"
	"fmt"
	"time"
)

// A batch is what one contestant does in one round: ops operations,
// timed as a whole. rate is ops or bytes per second.

// contender is one column of an interleaved measurement: a name and the
// batch it runs.
type contender struct {
	name  string
	batch func(ctx context.Context, round int) (rate float64, err error)
}

// interleave runs rounds rounds of every contender's batch, in the same
// order every round (A B C D A B C D ...), after one warm-up batch each
// that is not counted, and returns the median rate of each. Interleaving
// spreads the noise of a shared machine over every contender alike.
func interleave(ctx context.Context, what string, rounds int, cs []contender) (map[string]float64, error) {
	rates := map[string][]float64{}
	for _, c := range cs {
		if _, err := c.batch(ctx, -1); err != nil {
			return nil, fmt.Errorf("%s, %s (warm-up): %w", what, c.name, err)
		}
	}
	for r := 0; r < rounds; r++ {
		for _, c := range cs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			rate, err := c.batch(ctx, r)
			if err != nil {
				return nil, fmt.Errorf("%s, %s (round %d): %w", what, c.name, r+1, err)
			}
			rates[c.name] = append(rates[c.name], rate)
		}
	}
	out := map[string]float64{}
	for name, rs := range rates {
		out[name] = median(rs)
	}
	return out, nil
}

// timed runs op n times and returns n/elapsed seconds times scale (1 for
// ops/s, the bytes per op for B/s).
func timed(n int, scale float64, op func(i int) error) (float64, error) {
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := op(i); err != nil {
			return 0, err
		}
	}
	return float64(n) * scale / time.Since(start).Seconds(), nil
}
