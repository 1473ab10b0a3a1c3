package prefix

import (
	"context"
	"errors"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// capabilities confines the optional capabilities of the inner backend
// (in) to the view. New gives the view, through compose, exactly those
// that in has; a method here is only reached when in has it.
type capabilities struct {
	b  *Backend
	in observe.Caps
}

// RemoveMany removes prefix+key for each key. The keys a caller typed are
// held to backend.ValidateKey and the view's length; the keys of a
// listing (backend.WithListedKeys) only to checkListedKey, so that no key
// reaches outside the view. A refused key is reported (ErrInvalidKey) and
// never stops the others; every error names the relative key.
func (x capabilities) RemoveMany(ctx context.Context, keys []string) error {
	b := x.b
	if err := b.guard.Ready(ctx, "remove", ""); err != nil {
		return err
	}
	listed := backend.ListedKeys(ctx)
	var refused []error
	full := make([]string, 0, len(keys))
	for _, k := range keys {
		var err error
		if listed {
			err = checkListedKey(k)
		} else if err = backend.ValidateKey("remove", k); err == nil {
			err = b.checkLen("remove", k)
		}
		if err != nil {
			refused = append(refused, err)
			continue
		}
		full = append(full, b.full(k))
	}
	var err error
	if len(full) > 0 {
		err = b.relErrs(x.in.BatchRemover.RemoveMany(ctx, full))
	}
	return errors.Join(append(refused, err)...)
}

// Health is the inner backend's: a view shares its endpoints.
func (x capabilities) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if err := x.b.guard.Ready(ctx, "health", ""); err != nil {
		return nil, err
	}
	return x.in.HealthChecker.Health(ctx)
}

// Presign presigns method on prefix+key. The arguments are checked with
// backend.CheckPresign (the inner backend checks its own longest expiry)
// and the view's key length. The URL holds the inner key: the prefix is
// no secret from the holder of a URL, who can reach that one object and
// nothing else.
func (x capabilities) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	b := x.b
	op := backend.PresignOp(method)
	err := backend.CheckPresign(method, key, expiry, 0, opts)
	if err == nil {
		err = b.ready(ctx, op, key)
	}
	if err != nil {
		return "", err
	}
	u, err := x.in.Presigner.Presign(ctx, method, b.full(key), expiry, opts)
	return u, b.relErr(err)
}

// SetExpiry sets the rule for prefix+prefix: an empty prefix is every
// object of the view.
func (x capabilities) SetExpiry(ctx context.Context, prefix string, days int) error {
	b := x.b
	const op = "set-expiry"
	err := backend.ValidatePrefix(op, prefix)
	if err == nil {
		err = b.ready(ctx, op, prefix)
	}
	if err != nil {
		return err
	}
	return b.relErr(x.in.Lifecycler.SetExpiry(ctx, b.full(prefix), days))
}

// Expiry returns the inner rules whose prefix is inside the view (the
// view's prefix itself included, as ""), with the view's prefix removed.
// Rules outside the view are not shown, not even one that covers it (a
// rule for "" or for a parent of the prefix): a view sees nothing outside
// it, so ask the inner backend for those.
func (x capabilities) Expiry(ctx context.Context) (map[string]int, error) {
	b := x.b
	if err := b.guard.Ready(ctx, "expiry", ""); err != nil {
		return nil, err
	}
	rules, err := x.in.Lifecycler.Expiry(ctx)
	if err != nil {
		return nil, b.relErr(err)
	}
	out := make(map[string]int)
	for p, days := range rules {
		if p == b.prefix {
			out[""] = days
		} else if rel, ok := b.rel(p); ok {
			out[rel] = days
		}
	}
	return out, nil
}
