package minio

import (
	"context"
	"errors"
	"fmt"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// maxDeleteKeys is the most keys one multi-object delete request carries.
const maxDeleteKeys = 1000

// Remove deletes the object at key; S3 answers success for a missing key.
func (d *Driver) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	if err := d.check(ctx, "remove", key); err != nil {
		return err
	}
	if err := d.client.RemoveObject(ctx, d.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil
		}
		return d.err("remove", key, err)
	}
	return nil
}

// RemoveMany removes keys with MinIO's multi-object delete, up to 1000
// keys per request. Missing keys are not errors. The error joins one
// *backend.Error per key that was not removed: those
// backend.CheckRemoveKeys refused (ErrInvalidKey), those the server
// refused, and, when a request fails as a whole, every key of that request
// and of the requests not yet made (so a caller may retry exactly those).
// The keys of a listing (backend.WithListedKeys) are sent as they are,
// folder markers ("photos/") included: the server names them exactly.
func (d *Driver) RemoveMany(ctx context.Context, keys []string) error {
	if err := d.check(ctx, "remove", ""); err != nil {
		return err
	}
	keys, errs := backend.CheckRemoveKeys(ctx, keys)
	for start := 0; start < len(keys); start += maxDeleteKeys {
		end := min(start+maxDeleteKeys, len(keys))
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, d.notRemoved(keys[start:], err)...)...)
		}
		berrs, fatal := d.removeBatch(ctx, keys[start:end])
		errs = append(errs, berrs...)
		if fatal != nil {
			cause := fmt.Errorf("not attempted: an earlier request failed: %w", fatal)
			return errors.Join(append(errs, d.notRemoved(keys[end:], cause)...)...)
		}
	}
	return errors.Join(errs...)
}

// notRemoved reports each key as not removed because of cause.
func (d *Driver) notRemoved(keys []string, cause error) []error {
	errs := make([]error, 0, len(keys))
	for _, k := range keys {
		errs = append(errs, d.err("remove", k, cause))
	}
	return errs
}

// removeBatch removes up to maxDeleteKeys keys with one request. It
// returns the per-key errors, and the error of the request as a whole if
// it failed (then every key of the batch is among the per-key errors).
func (d *Driver) removeBatch(ctx context.Context, batch []string) (errs []error, fatal error) {
	objs := func(yield func(minio.ObjectInfo) bool) {
		for _, k := range batch {
			if !yield(minio.ObjectInfo{Key: k}) {
				return
			}
		}
	}
	results, err := d.client.RemoveObjectsWithIter(ctx, d.bucket, objs, minio.RemoveObjectsOptions{})
	if err != nil {
		return d.notRemoved(batch, err), err
	}
	done := make(map[string]bool, len(batch))
	for r := range results {
		if r.ObjectName != "" {
			done[r.ObjectName] = true
		}
		if r.Err == nil || minio.ToErrorResponse(r.Err).Code == "NoSuchKey" {
			continue
		}
		if r.ObjectName == "" {
			// The answer itself was unreadable.
			fatal = r.Err
			continue
		}
		errs = append(errs, d.err("remove", r.ObjectName, r.Err))
		if minio.ToErrorResponse(r.Err).StatusCode != 0 || backend.NetworkKind(r.Err) != nil {
			// A failed request reports its error for every key (with the
			// status of the answer); a per-key refusal has no status.
			fatal = r.Err
		}
	}
	if fatal == nil {
		if err := ctx.Err(); err != nil {
			fatal = err
		}
	}
	if fatal != nil {
		for _, k := range batch {
			if !done[k] {
				errs = append(errs, d.err("remove", k, fatal))
			}
		}
	}
	return errs, fatal
}
