package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/objstore-dev/objstore/backend"
)

// createOnly is a Put with IfNotExist. It reports false (after checking
// that nothing was stored) when the driver says ErrNotSupported.
func createOnly(t T, b backend.Backend, key string, data []byte) (supported bool, err error) {
	t.Helper()
	_, err = b.Put(t.Context(), key, bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: true, Metadata: map[string]string{"v": string(data[:1])}})
	if errors.Is(err, backend.ErrNotSupported) {
		wantAbsent(t, b, key, "after IfNotExist gave ErrNotSupported")
		return false, err
	}
	return true, err
}

func checkIfNotExist(t T, b backend.Backend) {
	const key = "create/once"
	first, second := []byte("1 first"), []byte("2 second")
	supported, err := createOnly(t, b, key, first)
	if !supported {
		t.Skipf("IfNotExist is not supported: %v", err)
	}
	if err != nil {
		t.Fatalf("Put(%q, IfNotExist) of a missing key: %v", key, err)
	}
	wantContent(t, b, key, first, "after the first create")

	_, err = createOnly(t, b, key, second)
	wantErr(t, err, backend.ErrExist, "second Put(%q, IfNotExist)", key)
	wantContent(t, b, key, first, "after the refused second create")
	if md := mustStat(t, b, key).Metadata; md["v"] != "1" {
		t.Errorf("after the refused second create the metadata is %v, want that of the first", md)
	}

	// A plain put still overwrites; after Remove the key can be created again.
	mustPut(t, b, key, second, sized(second))
	wantContent(t, b, key, second, "after a plain overwrite")
	if err := b.Remove(t.Context(), key); err != nil {
		t.Fatalf("Remove(%q): %v", key, err)
	}
	if _, err := createOnly(t, b, key, first); err != nil {
		t.Errorf("Put(%q, IfNotExist) after Remove: %v", key, err)
	}
	wantContent(t, b, key, first, "after create, remove, create")

	// A create-only put of an empty object.
	if _, err := b.Put(t.Context(), "create/empty", bytes.NewReader(nil), backend.PutOptions{Size: 0, IfNotExist: true}); err != nil {
		t.Errorf("Put(create/empty, IfNotExist) of 0 bytes: %v", err)
	}
	wantContent(t, b, "create/empty", nil, "after a create-only put of 0 bytes")
}

func checkIfNotExistRace(t T, b backend.Backend) {
	if supported, err := createOnly(t, b, "create/probe", []byte("probe")); !supported {
		t.Skipf("IfNotExist is not supported: %v", err)
	}
	raceConditionalPuts(t, b, "create/race", "create-only", 70, backend.PutOptions{IfNotExist: true}, backend.ErrExist)
}

// raceConditionalPuts starts 8 puts of key with the condition of opts at
// once: exactly one must succeed, every other must fail with loserKind,
// and the key must hold the winner's bytes.
func raceConditionalPuts(t T, b backend.Backend, key, what string, seed uint64, opts backend.PutOptions, loserKind error) {
	const n = 8
	payloads := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		payloads[i] = append([]byte(fmt.Sprintf("%d ", i)), payload(seed+uint64(i), 64<<10)...)
		wg.Go(func() {
			<-start
			o := opts
			o.Size = int64(len(payloads[i]))
			_, errs[i] = b.Put(t.Context(), key, bytes.NewReader(payloads[i]), o)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("both %s puts %d and %d succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loserKind):
			t.Errorf("%s put %d lost the race with %q, want %v", what, i, err, loserKind)
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d concurrent %s puts succeeded", n, what)
	}
	wantContent(t, b, key, payloads[winner], "after the race, the winner's bytes")
}
