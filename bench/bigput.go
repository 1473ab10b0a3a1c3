package main

import (
	"context"
	"fmt"
	"strconv"
)

// runBigPut measures the put of cfg.bigSize bytes from a reader of
// unknown size, each in a child process: its throughput, and the child's
// peak RSS (the object must stream, not be buffered whole). Rounds are
// interleaved like every other workload; there are fewer of them
// (cfg.bigRounds), since one round moves a gigabyte per contestant.
func runBigPut(ctx context.Context, cfg *settings, t target, stores []store) ([]compRow, error) {
	label := sizeLabel(cfg.bigSize)
	speed := map[string][]float64{}
	rss := map[string][]float64{}
	grow := map[string][]float64{}
	for r := 0; r < cfg.bigRounds; r++ {
		for _, s := range stores {
			cfg.logf("put %s of unknown size: %s (round %d)", label, s.Name(), r+1)
			res, err := spawnChild(ctx, t, s.Name(), "-child", "bigput", "-child-size", strconv.FormatInt(cfg.bigSize, 10))
			if err != nil {
				return nil, fmt.Errorf("put %s of unknown size, %s: %w", label, s.Name(), err)
			}
			cfg.logf("  %.0f MiB/s, peak RSS %.1f MiB (%.1f MiB before the put)", float64(cfg.bigSize)/(1<<20)/res.Seconds,
				float64(res.MaxRSSKiB)/1024, float64(res.BaselineKiB)/1024)
			speed[s.Name()] = append(speed[s.Name()], float64(cfg.bigSize)/(1<<20)/res.Seconds)
			rss[s.Name()] = append(rss[s.Name()], float64(res.MaxRSSKiB)/1024)
			grow[s.Name()] = append(grow[s.Name()], float64(res.MaxRSSKiB-res.BaselineKiB)/1024)
		}
	}
	row := compRow{name: "put " + label + ", size unknown", unit: "MiB/s", higherBetter: true, values: map[string]float64{}}
	mem := compRow{name: "peak RSS of that put (child process)", unit: "MiB", values: map[string]float64{}}
	growth := compRow{name: "peak RSS growth during that put", unit: "MiB", values: map[string]float64{}}
	for name, v := range speed {
		row.values[name] = median(v)
		mem.values[name] = median(rss[name])
		growth.values[name] = median(grow[name])
	}
	return []compRow{row, mem, growth}, nil
}

// sizeLabel prints a byte count as KiB, MiB or GiB.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
