package main

import (
	"context"
	"io"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// scratch is a Backend confined to the keys under prefix of another: key
// k is stored as prefix+k, and listings see only the keys under prefix,
// with prefix removed. The conformance command runs the suite in one, so
// that it never touches the rest of a user's store.
//
// Arguments are validated against the unprefixed key first, so errors
// name the key the caller used and invalid keys never reach the store.
// Keys longer than MaxKeyLen-len(prefix) are refused by the store
// beneath. scratch deliberately does not implement backend.Wrapper: the
// capabilities of the inner backend (RemoveMany, presigning, ...) take
// unprefixed keys and must not be reachable through it.
type scratch struct {
	b      backend.Backend
	prefix string
}

var _ backend.Backend = (*scratch)(nil)

func (s *scratch) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if _, err := backend.CheckPut(key, r, opts); err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := s.b.Put(ctx, s.prefix+key, r, opts)
	return s.info(info), s.err(err)
}

func (s *scratch) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rc, info, err := s.b.Get(ctx, s.prefix+key, opts)
	return rc, s.info(info), s.err(err)
}

func (s *scratch) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := s.b.Stat(ctx, s.prefix+key)
	return s.info(info), s.err(err)
}

func (s *scratch) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if _, err := backend.CheckList(opts); err != nil {
		return backend.ListPage{}, err
	}
	// The caller's page size is passed on as given: the store beneath
	// fills in its default, as it would for the caller.
	opts.Prefix = s.prefix + opts.Prefix
	if opts.StartAfter != "" {
		opts.StartAfter = s.prefix + opts.StartAfter
	}
	page, err := s.b.List(ctx, opts)
	if err != nil {
		return backend.ListPage{}, s.err(err)
	}
	for i := range page.Objects {
		page.Objects[i] = s.info(page.Objects[i])
	}
	for i, p := range page.Prefixes {
		page.Prefixes[i] = strings.TrimPrefix(p, s.prefix)
	}
	return page, nil
}

func (s *scratch) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	return s.err(s.b.Remove(ctx, s.prefix+key))
}

func (s *scratch) Close() error { return s.b.Close() }

// info removes the prefix from the key of an ObjectInfo.
func (s *scratch) info(o backend.ObjectInfo) backend.ObjectInfo {
	o.Key = strings.TrimPrefix(o.Key, s.prefix)
	return o
}

// err makes a *backend.Error from the store beneath name the caller's key;
// the cause, which may mention the full key, is kept.
func (s *scratch) err(err error) error {
	be, ok := err.(*backend.Error)
	if !ok || !strings.HasPrefix(be.Key, s.prefix) {
		return err
	}
	c := *be
	c.Key = strings.TrimPrefix(be.Key, s.prefix)
	return &c
}
