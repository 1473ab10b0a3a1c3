package gocloud

import (
	"context"
	"errors"
	"sync"

	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

// Remove deletes the object; a missing object is not an error.
func (b *Backend) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	if err := b.check("remove", key); err != nil {
		return err
	}
	return b.remove(ctx, key)
}

func (b *Backend) remove(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return backend.NewError("remove", key, nil, err)
	}
	err := b.bucket.Delete(ctx, b.opts.keys.Encode(key))
	if err == nil || isCode(err, gcerrors.NotFound) {
		return nil
	}
	return wrap("remove", key, err)
}

// RemoveMany deletes keys with at most WithRemoveConcurrency deletes in
// flight (gocloud has no batch delete). Every key is validated before any
// request. The error joins one *backend.Error per key that was not
// removed; when ctx ends, the keys not yet attempted each report ctx's
// error.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := backend.ValidateKey("remove", k); err != nil {
			return err
		}
	}
	if err := b.check("remove", ""); err != nil {
		return err
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan string)
	for range min(b.opts.removeConc, len(keys)) {
		wg.Go(func() {
			for k := range work {
				if err := b.remove(ctx, k); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}
