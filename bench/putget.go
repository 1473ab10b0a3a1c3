package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
)

// objectSize is one object size of the put and get workloads, and how
// many operations one batch makes.
type objectSize struct {
	label string
	size  int
	ops   int
}

// objectSizes are the sizes of the put/get rows.
func objectSizes(quick bool) []objectSize {
	if quick {
		return []objectSize{{"1 KiB", 1 << 10, 40}, {"1 MiB", 1 << 20, 10}, {"64 MiB", 64 << 20, 1}}
	}
	return []objectSize{{"1 KiB", 1 << 10, 100}, {"1 MiB", 1 << 20, 25}, {"64 MiB", 64 << 20, 2}}
}

// slug turns a contestant's name into a key segment.
func slug(name string) string {
	r := strings.NewReplacer(" ", "-", "(", "", ")", "")
	return r.Replace(name)
}

// randomData returns n incompressible bytes.
func randomData(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// runPutGet measures sequential puts and gets of every size. Every put
// of a contestant overwrites one key of its own (so the disk does not
// fill up); every get reads one object per size, written once before,
// the same for every contestant.
func runPutGet(ctx context.Context, cfg *settings, stores []store, seed store) ([]compRow, error) {
	var rows []compRow
	for _, sz := range objectSizes(cfg.quick) {
		if cfg.sizes != "" && !contains(strings.Split(cfg.sizes, ","), strings.ReplaceAll(sz.label, " ", "")) {
			continue
		}
		data := randomData(sz.size)
		scale, unit := 1.0, "ops/s"
		if sz.size >= 1<<20 {
			scale, unit = float64(sz.size)/(1<<20), "MiB/s"
		}
		var puts, gets []contender
		getKey := "get/" + strings.ReplaceAll(sz.label, " ", "")
		if err := seed.Put(ctx, getKey, data); err != nil {
			return nil, fmt.Errorf("writing %s: %w", getKey, err)
		}
		for _, s := range stores {
			putKey := "put-" + slug(s.Name()) + "/" + strings.ReplaceAll(sz.label, " ", "")
			puts = append(puts, contender{s.Name(), func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.ops, scale, func(int) error { return s.Put(ctx, putKey, data) })
			}})
			gets = append(gets, contender{s.Name(), func(ctx context.Context, _ int) (float64, error) {
				return timed(sz.ops, scale, func(int) error {
					n, err := s.Get(ctx, getKey, int64(sz.size), io.Discard)
					if err == nil && n != int64(sz.size) {
						err = fmt.Errorf("get %s: %d bytes, want %d", getKey, n, sz.size)
					}
					return err
				})
			}})
		}
		if cfg.ops["put"] {
			cfg.logf("put %s", sz.label)
			m, err := interleave(ctx, "put "+sz.label, cfg.rounds, puts)
			if err != nil {
				return nil, err
			}
			rows = append(rows, compRow{name: "put " + sz.label, unit: unit, higherBetter: true, values: m})
		}
		if cfg.ops["get"] {
			cfg.logf("get %s", sz.label)
			m, err := interleave(ctx, "get "+sz.label, cfg.rounds, gets)
			if err != nil {
				return nil, err
			}
			rows = append(rows, compRow{name: "get " + sz.label, unit: unit, higherBetter: true, values: m})
		}
	}
	return rows, nil
}
