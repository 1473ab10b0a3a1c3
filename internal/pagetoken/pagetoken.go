// Package pagetoken runs the List of drivers that carry state of their
// own from one page to the next: the last key of a page (GCS) or a
// service's continuation marker (gocloud). The driver fetches one page
// from a state and says where the next one starts; the state travels in
// ListPage.NextToken base64url-encoded, so a token is printable, URL-safe,
// stateless and says nothing about how the driver resumes.
package pagetoken

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Page fetches one page, the driver's part of List. opts is checked and
// has its page size; state is what the previous page returned as next
// (nil: the first page, which starts after opts.StartAfter if it is set).
// It returns the page (its objects and, with a delimiter, its prefixes,
// as List promises them; its NextToken is ignored) and the state the
// next page starts from: nil or empty when the listing is complete.
type Page func(ctx context.Context, opts backend.ListOptions, state []byte) (page backend.ListPage, next []byte, err error)

// List is the Backend.List of a driver whose pages are page. It checks the
// options and the backend with guard before any request, decodes
// opts.Token into the state page starts from, and returns the objects
// page returned with NextToken encoding its next state. A StartAfter that
// sorts after every key with the prefix gives an empty page without
// calling page. A token List
// cannot have made is an *backend.Error with Kind ErrInvalidArgument for
// "list" and the prefix; page's errors are returned as they are.
func List(ctx context.Context, guard *backend.Guard, opts backend.ListOptions, page Page) (backend.ListPage, error) {
	opts, err := guard.List(ctx, opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	state, err := decode(opts.Prefix, opts.Token)
	if err != nil {
		return backend.ListPage{}, err
	}
	if backend.PastPrefix(opts) {
		return backend.ListPage{}, nil
	}
	p, next, err := page(ctx, opts, state)
	if err != nil {
		return backend.ListPage{}, err
	}
	p.NextToken = encode(next)
	return p, nil
}

// encode returns the token that carries state; empty state gives "", the
// token of a listing that has no next page.
func encode(state []byte) string {
	return base64.RawURLEncoding.EncodeToString(state)
}

// decode returns the state a token of encode carries; "" (the first page)
// gives nil.
func decode(prefix, token string) ([]byte, error) {
	if token == "" {
		return nil, nil
	}
	state, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(state) == 0 {
		return nil, backend.NewError("list", prefix, backend.ErrInvalidArgument, fmt.Errorf("malformed page token %q", token))
	}
	return state, nil
}
