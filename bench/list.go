package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	minio "github.com/minio/minio-go/v7"
)

// Listing: cfg.listKeys one-byte objects are written once (by raw
// minio-go on MinIO, by the raw client on an emulator, 32 at a time) and
// shared by every contestant, and by the dirlist workload (dirlist.go),
// in groups of 10,000: "list/gGGG/NNNNN". The small listing reads one
// group ("list/g000/"), the large one everything ("list/"), recursively. The
// prefixes are "directories" because thanos objstore lists nothing else.
// Speed is measured in this process with interleaved rounds; memory in a
// child process per contestant and listing, whose peak RSS must not grow
// with the number of keys.

const (
	smallListing = 10_000
	populateConc = 32
)

// listKey returns the key of the i-th object of the listing.
func listKey(i int) string {
	return fmt.Sprintf("list/g%03d/%05d", i/smallListing, i%smallListing)
}

// listPrefix returns the prefix of the first n keys: one group, or all.
func listPrefix(n int) string {
	if n == smallListing {
		return "list/g000/"
	}
	return "list/"
}

func validListKeys(n int) bool {
	for p := smallListing; p <= 1_000_000; p *= 10 {
		if n == p {
			return true
		}
	}
	return false
}

// listData is the listing's keys in the bucket: the first n keys of
// listKey's sequence, written once per run and shared by the workloads
// that list them.
type listData struct {
	// put writes one one-byte object: raw minio-go on MinIO, each
	// emulator's raw client on the emulators.
	put func(ctx context.Context, key string) error
	n   int
}

// minioListData is the listing's keys on MinIO, written by minio-go.
func minioListData(mc *minio.Client) *listData {
	return &listData{put: func(ctx context.Context, key string) error {
		_, err := mc.PutObject(ctx, benchBucket, key, strings.NewReader("x"), 1, minio.PutObjectOptions{})
		return err
	}}
}

// ensure writes the keys that are missing for the first want keys to
// exist.
func (d *listData) ensure(ctx context.Context, want int) error {
	if want <= d.n {
		return nil
	}
	if err := populate(ctx, d.put, d.n, want); err != nil {
		return err
	}
	d.n = want
	return nil
}

// populate writes the keys from to to-1 of the listing, populateConc at
// a time.
func populate(ctx context.Context, put func(ctx context.Context, key string) error, from, to int) error {
	return parallel(ctx, to-from, func(ctx context.Context, i int) error {
		key := listKey(from + i)
		if err := put(ctx, key); err != nil {
			return fmt.Errorf("populating %s: %w", key, err)
		}
		return nil
	})
}

// runList measures the listings.
func runList(ctx context.Context, cfg *settings, t target, stores []store, data *listData) ([]compRow, error) {
	if !validListKeys(cfg.listKeys) {
		return nil, fmt.Errorf("-listkeys %d: must be 10000, 100000 or 1000000", cfg.listKeys)
	}
	cfg.logf("populating %d keys", cfg.listKeys)
	if err := data.ensure(ctx, cfg.listKeys); err != nil {
		return nil, err
	}
	counts := []int{smallListing}
	if cfg.listKeys > smallListing {
		counts = append(counts, cfg.listKeys)
	}
	var rows []compRow
	for _, n := range counts {
		prefix := listPrefix(n)
		rounds := cfg.rounds
		if n > smallListing {
			rounds = min(rounds, 3) // a large listing takes seconds
		}
		var cs []contender
		for _, s := range stores {
			cs = append(cs, contender{s.Name(), func(ctx context.Context, _ int) (float64, error) {
				return timed(1, float64(n), func(int) error {
					got, err := s.List(ctx, prefix)
					if err == nil && got != n {
						err = fmt.Errorf("listed %d keys under %q, want %d", got, prefix, n)
					}
					return err
				})
			}})
		}
		cfg.logf("list %d keys", n)
		m, err := interleave(ctx, fmt.Sprintf("list %d keys", n), rounds, cs)
		if err != nil {
			return nil, err
		}
		rows = append(rows, compRow{name: "list " + thousands(n) + " keys", unit: "keys/s", higherBetter: true, values: m})
	}
	for _, n := range counts {
		row := compRow{name: "peak RSS listing " + thousands(n) + " keys (child process)", unit: "MiB", values: map[string]float64{}}
		for _, s := range stores {
			cfg.logf("list %d keys in a child: %s", n, s.Name())
			res, err := spawnChild(ctx, t, s.Name(), "-child", "list", "-child-prefix", listPrefix(n), "-child-want", strconv.Itoa(n))
			if err != nil {
				return nil, err
			}
			row.values[s.Name()] = float64(res.MaxRSSKiB) / 1024
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// thousands prints n with commas: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
