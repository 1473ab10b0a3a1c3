package objstore

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// removeBatch is the most keys handed to one BatchRemover.RemoveMany call:
// the limit of S3's and MinIO's DeleteObjects.
const removeBatch = 1000

// Objects iterates over the objects whose keys start with prefix, in
// lexical order, one backend List page at a time: memory stays flat for
// any number of keys, and nothing runs when the consumer stops (no
// goroutine, no channel). An error (an invalid prefix, a failed List) is
// yielded once, with a zero ObjectInfo, and ends the iteration.
//
// ObjectInfo.Metadata and ContentType may be empty in listings (drivers
// whose list answers do not carry them); StatObject fills them.
func (c *Client) Objects(ctx context.Context, prefix string) iter.Seq2[backend.ObjectInfo, error] {
	return func(yield func(backend.ObjectInfo, error) bool) {
		if err := backend.ValidatePrefix("list", prefix); err != nil {
			yield(backend.ObjectInfo{}, err)
			return
		}
		opts := backend.ListOptions{Prefix: prefix}
		for {
			page, err := c.b.List(ctx, opts)
			if err != nil {
				yield(backend.ObjectInfo{}, err)
				return
			}
			for _, o := range page.Objects {
				if !yield(o, nil) {
					return
				}
			}
			if page.NextToken == "" {
				return
			}
			if page.NextToken == opts.Token {
				// A driver bug would otherwise loop forever.
				yield(backend.ObjectInfo{}, backend.NewError("list", prefix, nil,
					fmt.Errorf("the backend returned the same page token %q twice", opts.Token)))
				return
			}
			opts.Token = page.NextToken
		}
	}
}

// ListObjects returns the keys of every object whose key starts with
// prefix, in lexical order (an empty prefix lists everything). Stream
// objects appear as their chunk and marker keys. For many keys prefer
// Objects, whose memory does not grow with the listing.
func (c *Client) ListObjects(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, o.Key)
	}
	return keys, nil
}

// RemoveObjects removes every object whose key starts with prefix,
// streams included (their chunks and marker). An empty prefix removes
// everything in the store: the library allows it, as rm -r does; a
// command line should ask for confirmation first.
//
// Keys are removed page by page as they are listed, in batches of up to
// 1000 with the backend's BatchRemover when it has one, else one Remove
// per key. A key that cannot be removed does not stop the others: the
// returned error joins (errors.Join) one error per key that failed, each
// naming its key, plus the listing's error if listing failed. When ctx
// ends, RemoveObjects stops and returns what it has.
//
// Only the prefix is held to objstore's rules (backend.ValidatePrefix).
// The listed keys are removed as the store listed them, also those that
// objstore would not write because another tool did (the console's
// folder objects "photos/", names with "//"): the keys go to RemoveMany
// in a context from backend.WithListedKeys. A backend without a
// BatchRemover can only remove keys that backend.ValidateKey accepts;
// each other key it meets is reported as ErrInvalidKey.
// docs/foreign-keys.md lists what each driver lists and removes.
func (c *Client) RemoveObjects(ctx context.Context, prefix string) error {
	if err := backend.ValidatePrefix("remove", prefix); err != nil {
		return err
	}
	br, hasBatch := backend.As[backend.BatchRemover](c.b)
	listed := backend.WithListedKeys(ctx)
	var errs []error
	batch := make([]string, 0, removeBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if hasBatch {
			if err := br.RemoveMany(listed, batch); err != nil {
				errs = append(errs, err)
			}
		} else {
			for _, k := range batch {
				if err := c.removeListed(ctx, k); err != nil {
					errs = append(errs, err)
					if ctx.Err() != nil {
						break
					}
				}
			}
		}
		batch = batch[:0]
	}
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			errs = append(errs, err)
			break
		}
		batch = append(batch, o.Key)
		if len(batch) == removeBatch {
			flush()
			if ctx.Err() != nil {
				break
			}
		}
	}
	if ctx.Err() == nil {
		flush()
	}
	if err := ctx.Err(); err != nil && !errorsContain(errs, err) {
		errs = append(errs, backend.NewError("remove", prefix, nil, err))
	}
	return errors.Join(errs...)
}

// removeListed removes one listed key with Backend.Remove, for a backend
// without a BatchRemover. Remove validates its key, so a key that another
// tool wrote is reported with a cause that says so.
func (c *Client) removeListed(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		var be *backend.Error
		errors.As(err, &be)
		return backend.NewError("remove", key, ErrInvalidKey, fmt.Errorf(
			"the store lists this key, which objstore would not write (%w: probably another tool wrote it), and %s has no BatchRemover to remove it as listed; remove it with that tool",
			be.Err, observe.Name(c.b)))
	}
	return c.b.Remove(ctx, key)
}

// errorsContain reports whether any of errs wraps target.
func errorsContain(errs []error, target error) bool {
	for _, e := range errs {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}
