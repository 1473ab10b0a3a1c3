package objstore

import (
	"context"
	"errors"

	"github.com/objstore-dev/objstore/backend"
)

// Exists reports whether name is an object or a stream object (a stream
// in progress, even before its first chunk, or a closed one with at least
// one chunk). It returns false with a nil error when there is neither, and
// an error only when it cannot tell: an invalid name (ErrInvalidKey,
// before any I/O), a closed client, a failing store. A directory implied
// by keys below name ("a" when only "a/b" exists) is neither.
//
// It costs one Stat for an object, and for anything else a Stat of the
// stream's marker and a listing of its chunk keys; it never reads bytes.
// The answer can be stale as soon as it is given: a put, a remove or a
// stream writer may change it; use PutObjectWith's IfNotExist for a
// create-only write rather than Exists then PutObject.
func (c *Client) Exists(ctx context.Context, name string) (bool, error) {
	if err := backend.ValidateKey("exists", name); err != nil {
		return false, err
	}
	if _, err := c.b.Stat(ctx, name); err == nil {
		return true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	k, err := newStreamKeys("exists", name)
	if err != nil {
		return false, nil // too long to have chunk keys: no stream can have this name
	}
	// The marker first: a writer removes it only after its last chunk is
	// stored, so a stream that closes in between is found by its chunks.
	if _, err := c.statMarker(ctx, k); err == nil {
		return true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return c.hasChunk(ctx, k)
}

// hasChunk reports whether the stream has at least one chunk, listing
// small pages so that it stops early under a long stream.
func (c *Client) hasChunk(ctx context.Context, k streamKeys) (bool, error) {
	opts := backend.ListOptions{Prefix: k.chunkPrefix, PageSize: 100}
	for {
		page, err := c.b.List(ctx, opts)
		if err != nil {
			return false, err
		}
		for _, o := range page.Objects {
			if k.chunkIndex(o.Key) >= 0 {
				return true, nil
			}
		}
		if page.NextToken == "" || page.NextToken == opts.Token {
			return false, nil
		}
		opts.Token = page.NextToken
	}
}
