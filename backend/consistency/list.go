package consistency

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

const tokenPrefix = "cw1:"

// List lists one page as the lag says (see the package doc).
func (w *wrapper) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if !w.own() {
		return w.inner.List(ctx, opts)
	}
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	after := opts.StartAfter
	if opts.Token != "" {
		if after, err = decodeToken(opts.Token); err != nil {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrInvalidArgument, err)
		}
	}
	lag := w.lagging(w.clock.Now())
	objs := map[string]backend.ObjectInfo{}
	inner := backend.ListOptions{Prefix: opts.Prefix}
	for {
		page, err := w.inner.List(ctx, inner)
		if err != nil {
			return backend.ListPage{}, err
		}
		for _, o := range page.Objects {
			objs[o.Key] = w.times(o)
		}
		if inner.Token = page.NextToken; inner.Token == "" {
			break
		}
	}
	for k, c := range lag {
		if !strings.HasPrefix(k, opts.Prefix) {
			continue
		}
		if c.existed {
			objs[k] = c.prev
		} else {
			delete(objs, k)
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range objs {
			if !yield(k) {
				return
			}
		}
	})
	var out backend.ListPage
	var last string
	for _, k := range keys {
		entry, isPrefix := k, false
		if opts.Delimiter != "" {
			if i := strings.Index(k[len(opts.Prefix):], opts.Delimiter); i >= 0 {
				entry, isPrefix = k[:len(opts.Prefix)+i+len(opts.Delimiter)], true
			}
		}
		if entry <= after || entry == last {
			continue
		}
		if len(out.Objects)+len(out.Prefixes) == opts.PageSize {
			out.NextToken = tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(last))
			break
		}
		last = entry
		if isPrefix {
			out.Prefixes = append(out.Prefixes, entry)
		} else {
			out.Objects = append(out.Objects, objs[k])
		}
	}
	return out, nil
}

func decodeToken(tok string) (string, error) {
	rest, ok := strings.CutPrefix(tok, tokenPrefix)
	if !ok {
		return "", errors.New("consistency: a page token this wrapper did not make")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", errors.New("consistency: a damaged page token")
	}
	return string(b), nil
}
