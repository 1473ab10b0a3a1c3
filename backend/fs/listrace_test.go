//go:build linux

package fs_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// TestListDuringOverwrites: 3000 keys exist the whole time while three
// goroutines overwrite random ones (each overwrite renames a new file over
// the key); every listing must contain every key, on ext4 (the work disk)
// and on tmpfs, which gives a renamed entry a new directory offset past
// the end of a readdir pass in progress.
func TestListDuringOverwrites(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"ext4", func(t *testing.T) string { return t.TempDir() }},
		{"tmpfs", func(t *testing.T) string { return mountTmpfs(t, "64m") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			b, err := fs.New(dir)
			require.NoError(t, err)
			t.Cleanup(func() { b.Close() }) // before the unmount

			const n = 3000
			keys := make([]string, n)
			for i := range keys {
				// Mostly one wide directory, and some keys one level down,
				// so that both the page walk and re-reads are exercised.
				if i%10 == 0 {
					keys[i] = fmt.Sprintf("sub/k%05d", i)
				} else {
					keys[i] = fmt.Sprintf("k%05d", i)
				}
			}
			putKeys(t, b, keys...)
			want := listKeys(t, b, "", 0)
			require.Len(t, want, n)

			stop := make(chan struct{})
			var wg sync.WaitGroup
			var puts atomic.Int64
			for range 3 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						k := keys[rand.IntN(n)]
						if _, err := b.Put(t.Context(), k, strings.NewReader(k), backend.PutOptions{Size: int64(len(k))}); err != nil {
							t.Errorf("Put(%q): %v", k, err)
							return
						}
						puts.Add(1)
					}
				})
			}
			defer func() { close(stop); wg.Wait() }()

			for i, pageSize := range []int{0, 1000, 0, 97, 0, 250, 0, 0} {
				before := puts.Load()
				got := listKeys(t, b, "", pageSize)
				if !slices.Equal(want, got) {
					t.Errorf("listing %d (page size %d) during %d overwrites: %d keys of %d, missing %v",
						i, pageSize, puts.Load()-before, len(got), n, missing(want, got))
				}
			}
			require.NotZero(t, puts.Load(), "no overwrite ran during the listings")
		})
	}
}

// missing returns the keys of want that got lacks (at most 10).
func missing(want, got []string) []string {
	have := map[string]bool{}
	for _, k := range got {
		have[k] = true
	}
	var out []string
	for _, k := range want {
		if !have[k] && len(out) < 10 {
			out = append(out, k)
		}
	}
	return out
}

// TestListDirectoryLargerThanItsSize: tmpfs reports a directory's size as
// 20 bytes per entry, far less than the records of long names need, so
// the one-call read of the directory must grow its buffer and read again
// from the start; every key is listed exactly once.
func TestListDirectoryLargerThanItsSize(t *testing.T) {
	dir := mountTmpfs(t, "64m")
	b, err := fs.New(dir)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	keys := make([]string, 2000)
	for i := range keys {
		keys[i] = fmt.Sprintf("%05d-%s", i, strings.Repeat("x", 200))
	}
	putKeys(t, b, keys...)
	for _, pageSize := range []int{0, 333} {
		got := listKeys(t, b, "", pageSize)
		require.True(t, slices.Equal(keys, got), "page size %d: %d keys of %d, missing %v", pageSize, len(got), len(keys), missing(keys, got))
	}
}
