package backend

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Keys that a store lists but that objstore would not write.
//
// ValidateKey decides which keys objstore writes. Stores filled by other
// tools hold keys it refuses: the "folder" objects of the AWS and MinIO
// consoles ("photos/"), names with "//", and so on. A key that a List of a
// store returned is a key that store can remove, so the keys of a removal
// are held to objstore's rules only when a caller typed them, never when
// the store handed them out: Client.RemoveObjects checks its prefix with
// ValidatePrefix, lists, and hands the listed keys to RemoveMany in a
// context made by WithListedKeys. docs/foreign-keys.md has what each
// driver does with such keys.

// listedKeys is the context key of WithListedKeys.
type listedKeys struct{}

// WithListedKeys returns a context that tells BatchRemover.RemoveMany that
// its keys are exactly as a List of the same backend returned them, so
// that they are removed even when ValidateKey refuses them (see
// CheckRemoveKeys). It changes nothing else: wrappers pass the context on
// unchanged, and Backend.Remove still validates its key.
func WithListedKeys(ctx context.Context) context.Context {
	return context.WithValue(ctx, listedKeys{}, true)
}

// ListedKeys reports whether ctx was made by WithListedKeys.
func ListedKeys(ctx context.Context) bool {
	v, _ := ctx.Value(listedKeys{}).(bool)
	return v
}

// CheckRemoveKeys is the key check of every BatchRemover.RemoveMany. It
// returns the keys to remove, in their order, and one *Error for "remove"
// and the key (with Kind ErrInvalidKey) per key it refused; a refused key
// never stops the others. Keys are checked with ValidateKey, unless ctx
// comes from WithListedKeys: then they came from the store, and only an
// empty key, which no store lists or can delete, is refused. A driver
// whose store cannot address every name it lists adds its own check of
// those physical limits (fs: the key must map to a path inside the root).
//
// When every key passes, ok is keys itself.
func CheckRemoveKeys(ctx context.Context, keys []string) (ok []string, refused []error) {
	listed := ListedKeys(ctx)
	for i, k := range keys {
		err := checkRemoveKey(listed, k)
		if err == nil {
			if ok != nil {
				ok = append(ok, k)
			}
			continue
		}
		if ok == nil {
			ok = append(make([]string, 0, len(keys)-1), keys[:i]...)
		}
		refused = append(refused, err)
	}
	if ok == nil {
		ok = keys
	}
	return ok, refused
}

// checkRemoveKey checks one key of a RemoveMany; listed: the keys come
// from a listing.
func checkRemoveKey(listed bool, key string) error {
	if !listed {
		return ValidateKey("remove", key)
	}
	if key == "" {
		return NewError("remove", key, ErrInvalidKey, errors.New("key is empty"))
	}
	return nil
}

// RemoveEach is BatchRemover.RemoveMany for a store that deletes one key
// per request: it calls remove for every key, with at most concurrency
// calls in flight (less than 1 means 1), and returns when all of them
// have returned. Its contract:
//
//   - Keys are checked with CheckRemoveKeys: ValidateKey, or, for the keys
//     of a listing (WithListedKeys), only that they are not empty. A
//     refused key is reported (ErrInvalidKey) and never stops the others.
//   - remove removes one key that passed and treats a missing object as
//     removed (nil), as Backend.Remove does. It is called from several
//     goroutines at once, for the keys in any order, once per such entry
//     of keys. A remove that can only address keys ValidateKey accepts
//     checks that itself.
//   - The error joins (errors.Join) one *Error per key that was not
//     removed, in the order of keys; an error of remove that is not an
//     *Error for its key is wrapped in one for "remove" and the key.
//   - Once ctx has ended, remove is not called again: every key not yet
//     started reports ctx's error.
//
// The caller checks that the backend is open before it calls RemoveEach.
func RemoveEach(ctx context.Context, keys []string, concurrency int, remove func(ctx context.Context, key string) error) error {
	listed := ListedKeys(ctx)
	errs := make([]error, len(keys))
	refused := make([]bool, len(keys))
	for i, k := range keys {
		if errs[i] = checkRemoveKey(listed, k); errs[i] != nil {
			refused[i] = true
		}
	}
	var (
		next atomic.Int64 // the index of the next key to remove
		wg   sync.WaitGroup
	)
	for range min(max(concurrency, 1), len(keys)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(keys); i = int(next.Add(1) - 1) {
				if !refused[i] {
					errs[i] = removeOne(ctx, keys[i], remove)
				}
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
