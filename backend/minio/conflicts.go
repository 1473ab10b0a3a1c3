package minio

import (
	"context"
	"fmt"
	"strings"
	"sync"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// MinIO stores both "a" and "a/b" when asked to, but its listings never
// show an object whose key lies under the key of another object: with "a"
// stored, "a/b" can be read but is missing from every List (and so from
// prefix removals and stream readers). Put therefore refuses, with
// ErrExist, a key that is an ancestor or a descendant of an existing
// object, as the fs driver does. The check costs one HEAD per ancestor
// ("a" and "a/b" for "a/b/c") and one LIST of "key/", all made at once
// before the body is read; Config.SkipConflictCheck turns it off. Two
// concurrent puts of "a" and "a/b" can still both pass it.

// maxConflictChecks bounds the requests of one conflict check in flight,
// for keys of many segments.
const maxConflictChecks = 8

// checkConflicts returns an ErrExist error when key cannot be stored
// without hiding an object from listings, or the error of a check.
func (d *Driver) checkConflicts(ctx context.Context, key string) error {
	segs := strings.Split(key, "/")
	errs := make([]error, len(segs))
	sem := make(chan struct{}, maxConflictChecks)
	var wg sync.WaitGroup
	run := func(i int, check func() error) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = check()
		})
	}
	run(len(segs)-1, func() error { return d.descendantsFree(ctx, key) })
	for i := 1; i < len(segs); i++ {
		ancestor := strings.Join(segs[:i], "/")
		run(i-1, func() error { return d.ancestorFree(ctx, key, ancestor) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ancestorFree checks that no object has the key ancestor.
func (d *Driver) ancestorFree(ctx context.Context, key, ancestor string) error {
	_, err := d.client.StatObject(ctx, d.bucket, ancestor, minio.StatObjectOptions{})
	switch {
	case err == nil:
		return backend.NewError("put", key, backend.ErrExist, fmt.Errorf(
			"the object %q exists, and MinIO does not list objects under the key of another object", ancestor))
	case minio.ToErrorResponse(err).StatusCode == 404:
		return nil
	}
	return d.err("put", key, fmt.Errorf("checking for an object %q: %w", ancestor, err))
}

// descendantsFree checks that no object lies under key+"/".
func (d *Driver) descendantsFree(ctx context.Context, key string) error {
	page, err := d.list(ctx, key+"/", 1, "")
	if err != nil {
		return d.err("put", key, fmt.Errorf("checking for objects under %q: %w", key+"/", err))
	}
	if len(page.Objects) > 0 {
		return backend.NewError("put", key, backend.ErrExist, fmt.Errorf(
			"the object %q exists, and MinIO does not list objects under the key of another object", page.Objects[0].Key))
	}
	return nil
}
