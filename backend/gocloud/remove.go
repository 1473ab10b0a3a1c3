package gocloud

import (
	"context"

	"gocloud.dev/gcerrors"

	"github.com/objstore-dev/objstore/backend"
)

// Remove deletes the object; a missing object is not an error.
func (b *Backend) Remove(ctx context.Context, key string) error {
	if err := b.guard.Key(ctx, "remove", key); err != nil {
		return err
	}
	return b.remove(ctx, key)
}

// remove deletes one valid key.
func (b *Backend) remove(ctx context.Context, key string) error {
	err := b.bucket.Delete(ctx, b.opts.keys.Encode(key))
	if err == nil || isCode(err, gcerrors.NotFound) {
		return nil
	}
	return wrap("remove", key, err)
}

// RemoveMany deletes keys with at most WithRemoveConcurrency deletes in
// flight, as backend.RemoveEach describes (gocloud has no batch delete).
//
// Unlike the other drivers, it holds the keys of a listing
// (backend.WithListedKeys) to backend.ValidateKey too, each key on its
// own: gocloud escapes the names it is given (azureblob turns a trailing
// "/" into "__0x2f__"), so a name that another tool wrote and that
// ValidateKey refuses cannot be addressed through gocloud, and a delete of
// it would remove nothing and report success. List leaves such names out
// (list.go), so a listing never hands them to RemoveMany.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	if b.guard.Closed() {
		return backend.NewError("remove", "", backend.ErrClosed, nil)
	}
	return backend.RemoveEach(ctx, keys, b.opts.removeConc, b.removeValid)
}

// removeValid is remove for a key that passes backend.ValidateKey; other
// keys are reported as invalid.
func (b *Backend) removeValid(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	return b.remove(ctx, key)
}
