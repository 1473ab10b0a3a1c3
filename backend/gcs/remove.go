package gcs

import (
	"context"
	"errors"

	"cloud.google.com/go/storage"

	"github.com/objstore-dev/objstore/backend"
)

// Remove deletes the object; a missing object is not an error.
func (b *Backend) Remove(ctx context.Context, key string) error {
	if err := b.guard.Key(ctx, "remove", key); err != nil {
		return err
	}
	return b.remove(ctx, key)
}

// remove deletes one key: a valid one, or one a listing returned
// (backend.WithListedKeys); GCS names any object exactly by its name.
func (b *Backend) remove(ctx context.Context, key string) error {
	err := b.bucket.Object(key).Delete(ctx)
	if err == nil || errors.Is(err, storage.ErrObjectNotExist) {
		return nil
	}
	return wrap("remove", key, err)
}

// RemoveMany deletes keys with at most Config.RemoveConcurrency deletes in
// flight, as backend.RemoveEach describes: the storage library has no
// batch delete over the JSON API, and fake-gcs-server has no batch
// endpoint, so it is single deletes. The keys of a listing
// (backend.WithListedKeys) are deleted as they are, folder markers
// ("photos/") and names with "//" included.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	if b.guard.Closed() {
		return backend.NewError("remove", "", backend.ErrClosed, nil)
	}
	return backend.RemoveEach(ctx, keys, b.removeConc, b.remove)
}
