package backend

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// RemoveEach is BatchRemover.RemoveMany for a store that deletes one key
// per request: it calls remove for every key, with at most concurrency
// calls in flight (less than 1 means 1), and returns when all of them
// have returned. Its contract:
//
//   - Every key is checked with ValidateKey before remove is called for
//     any: an invalid key fails the whole call and nothing is removed.
//   - remove removes one valid key and treats a missing object as removed
//     (nil), as Backend.Remove does. It is called from several goroutines
//     at once, for the keys in any order, once per entry of keys.
//   - The error joins (errors.Join) one *Error per key that was not
//     removed, in the order of keys; an error of remove that is not an
//     *Error for its key is wrapped in one for "remove" and the key.
//   - Once ctx has ended, remove is not called again: every key not yet
//     started reports ctx's error.
//
// The caller checks that the backend is open before it calls RemoveEach.
func RemoveEach(ctx context.Context, keys []string, concurrency int, remove func(ctx context.Context, key string) error) error {
	for _, k := range keys {
		if err := ValidateKey("remove", k); err != nil {
			return err
		}
	}
	errs := make([]error, len(keys))
	var (
		next atomic.Int64 // the index of the next key to remove
		wg   sync.WaitGroup
	)
	for range min(max(concurrency, 1), len(keys)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(keys); i = int(next.Add(1) - 1) {
				errs[i] = removeOne(ctx, keys[i], remove)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// removeOne removes key unless ctx has ended, and makes its error an
// *Error for the key.
func removeOne(ctx context.Context, key string, remove func(ctx context.Context, key string) error) error {
	if err := ctx.Err(); err != nil {
		return NewError("remove", key, nil, err)
	}
	err := remove(ctx, key)
	if e, ok := err.(*Error); err == nil || ok && e.Key == key {
		return err
	}
	return NewError("remove", key, nil, err)
}
