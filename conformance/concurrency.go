package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/objstore-dev/objstore/backend"
)

func checkConcurrentSameKey(t T, b backend.Backend) {
	const key = "conc/same"
	const writers, rounds, readers = 4, 8, 4
	// Versions of different sizes and contents: a mix of two, a short
	// version or a size from another version is never one of them.
	versions := map[[32]byte]int{}
	payloads := make([][]byte, writers*rounds+1)
	for i := range payloads {
		payloads[i] = payload(uint64(1000+i), 64<<10+i*1013)
		versions[sha256.Sum256(payloads[i])] = len(payloads[i])
	}
	mustPut(t, b, key, payloads[0], sized(payloads[0]))

	ctx := t.Context()
	var wg sync.WaitGroup
	var writing atomic.Int32
	writing.Store(writers)
	for w := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			for r := range rounds {
				p := payloads[1+w*rounds+r]
				if _, err := b.Put(ctx, key, bytes.NewReader(p), sized(p)); err != nil {
					t.Errorf("writer %d: Put(%q): %v", w, key, err)
					return
				}
			}
		})
	}
	var gets atomic.Int64
	for r := range readers {
		wg.Go(func() {
			for i := 0; writing.Load() > 0 || i < 2; i++ {
				if err := readOneVersion(ctx, b, key, versions); err != nil {
					t.Errorf("reader %d, get %d: %v", r, i, err)
					return
				}
				gets.Add(1)
				if _, err := b.Stat(ctx, key); err != nil {
					t.Errorf("reader %d: Stat(%q) while it is being overwritten: %v", r, key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d gets during %d puts", gets.Load(), writers*rounds)
	if err := readOneVersion(ctx, b, key, versions); err != nil {
		t.Errorf("after the writers: %v", err)
	}
}

// readOneVersion reads key and checks that it is exactly one of versions.
func readOneVersion(ctx context.Context, b backend.Backend, key string, versions map[[32]byte]int) error {
	rc, info, err := b.Get(ctx, key, backend.WholeObject)
	if err != nil {
		return fmt.Errorf("Get(%q) while it is being overwritten: %w", key, err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("reading %q while it is being overwritten: %w", key, err)
	}
	if _, ok := versions[sha256.Sum256(data)]; !ok {
		return fmt.Errorf("Get(%q) returned %d bytes that are none of the versions put: a mix or a partial object", key, len(data))
	}
	if info.Size != int64(len(data)) {
		return fmt.Errorf("Get(%q) returned %d bytes with the info of a %d-byte object", key, len(data), info.Size)
	}
	return nil
}

func checkConcurrentDifferentKeys(t T, b backend.Backend) {
	const workers, rounds = 8, 10
	ctx := t.Context()
	var wg sync.WaitGroup
	var mu sync.Mutex
	kept := map[string][]byte{}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				key := fmt.Sprintf("conc/w%d/%02d", w, r)
				data := payload(uint64(2000+w*rounds+r), 1000+w*100+r)
				if _, err := b.Put(ctx, key, bytes.NewReader(data), sized(data)); err != nil {
					t.Errorf("Put(%q): %v", key, err)
					return
				}
				if err := wantBytes(ctx, b, key, data); err != nil {
					t.Errorf("%v", err)
					return
				}
				if _, err := b.List(ctx, backend.ListOptions{Prefix: fmt.Sprintf("conc/w%d/", w), PageSize: 3}); err != nil {
					t.Errorf("List: %v", err)
					return
				}
				if r%2 == 1 {
					if err := b.Remove(ctx, key); err != nil {
						t.Errorf("Remove(%q): %v", key, err)
						return
					}
					if _, err := b.Stat(ctx, key); !errors.Is(err, backend.ErrNotFound) {
						t.Errorf("Stat(%q) after Remove: %v, want ErrNotFound", key, err)
					}
					continue
				}
				mu.Lock()
				kept[key] = data
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	wantKeys(t, b, "conc/", sortedKeys(kept), "after concurrent writers")
	for k, data := range kept {
		wantContent(t, b, k, data, "after concurrent writers")
	}
}

// wantBytes is wantContent for use off the check's goroutine: it returns
// an error instead of ending the check.
func wantBytes(ctx context.Context, b backend.Backend, key string, want []byte) error {
	rc, _, err := b.Get(ctx, key, backend.WholeObject)
	if err != nil {
		return fmt.Errorf("Get(%q): %w", key, err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("reading %q: %w", key, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("Get(%q) returned %s, want %s", key, describe(got), describe(want))
	}
	return nil
}
