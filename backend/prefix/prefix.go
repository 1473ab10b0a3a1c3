package prefix

import (
	"context"
	"io"
	"strconv"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

var (
	_ backend.Backend    = (*Backend)(nil)
	_ backend.KeyChecker = (*Backend)(nil)
)

// Backend is a view of the inner backend confined to a prefix (see the
// package doc). New returns it inside a value that also has exactly the
// optional capabilities of the inner backend, each confined too.
//
// Backend deliberately has no Unwrap: backend.As would find the inner
// backend's capabilities through it, and they take inner keys.
type Backend struct {
	inner  backend.Backend
	prefix string
	own    bool
	name   string
	guard  backend.Guard
	kc     backend.KeyChecker // the inner backend's, or nil
}

// Option tunes New.
type Option func(*config)

type config struct {
	own bool
}

// CloseInner makes Close close the inner backend too: the view owns it.
// Without it, Close only closes the view, and the inner backend (which
// other views may share) stays open for its owner to close.
func CloseInner() Option { return func(c *config) { c.own = true } }

// New returns a view of inner confined to prefix. prefix must be a
// non-empty prefix that backend.ValidatePrefix accepts, ending in "/"
// (it is not added: "logs" is refused, "logs/" is taken), and shorter
// than backend.MaxKeyLen; otherwise New returns an *backend.Error with
// Kind ErrInvalidKey and op "prefix".
//
// The view has each optional capability (BatchRemover, HealthChecker,
// Presigner, Lifecycler) exactly when backend.As finds it in inner, and
// always KeyChecker.
func New(inner backend.Backend, prefix string, opts ...Option) (backend.Backend, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	var c config
	for _, o := range opts {
		o(&c)
	}
	b := &Backend{inner: inner, prefix: prefix, own: c.own, name: observe.Name(inner)}
	b.kc, _ = backend.As[backend.KeyChecker](inner)
	in := observe.CapsOf(inner)
	return compose(b, in.ServedBy(capabilities{b, in})), nil
}

// Prefix returns the view's prefix, as given to New. The value New
// returns has this method too.
func (b *Backend) Prefix() string { return b.prefix }

// String names the prefix and the inner backend.
func (b *Backend) String() string { return "prefix(" + strconv.Quote(b.prefix) + ", " + b.name + ")" }

// Put stores the object at prefix+key; the info names key.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err == nil {
		err = b.ready(ctx, "put", key)
	}
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := b.inner.Put(ctx, b.full(key), r, opts)
	if err != nil {
		return backend.ObjectInfo{}, b.relErr(err)
	}
	info.Key = key
	return info, nil
}

// Get reads the object at prefix+key; the info, and the errors of the
// reader, name key.
func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	err := backend.CheckGet(key, opts)
	if err == nil {
		err = b.ready(ctx, "get", key)
	}
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rc, info, err := b.inner.Get(ctx, b.full(key), opts)
	if err != nil {
		return nil, backend.ObjectInfo{}, b.relErr(err)
	}
	info.Key = key
	return &reader{rc: rc, b: b}, info, nil
}

// Stat returns the info of the object at prefix+key, naming key.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	err := backend.ValidateKey("stat", key)
	if err == nil {
		err = b.ready(ctx, "stat", key)
	}
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	info, err := b.inner.Stat(ctx, b.full(key))
	if err != nil {
		return backend.ObjectInfo{}, b.relErr(err)
	}
	info.Key = key
	return info, nil
}

// List lists the inner objects under prefix+opts.Prefix and returns their
// keys without the prefix. Page tokens are the inner backend's, passed
// through as they are: the inner List always gets the view's prefix, so a
// token, whatever it holds, can only move the listing within the view,
// and every returned key is checked to be inside it (one that is not, or
// the prefix itself as a "folder" object, is left out).
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err == nil {
		err = b.guard.Ready(ctx, "list", opts.Prefix)
	}
	if err != nil {
		return backend.ListPage{}, err
	}
	if len(b.prefix)+len(opts.Prefix) > backend.MaxKeyLen {
		return backend.ListPage{}, nil // no key of the view is that long
	}
	inner := opts
	inner.Prefix = b.full(opts.Prefix)
	if opts.StartAfter != "" {
		inner.StartAfter = b.full(opts.StartAfter)
	}
	page, err := b.inner.List(ctx, inner)
	if err != nil {
		return backend.ListPage{}, b.relErr(err)
	}
	objs := make([]backend.ObjectInfo, 0, len(page.Objects))
	for _, o := range page.Objects {
		if k, ok := b.rel(o.Key); ok {
			o.Key = k
			objs = append(objs, o)
		}
	}
	page.Objects = objs
	// Common prefixes of a directory listing, like keys, lose the view's
	// prefix (one outside the view is left out).
	prefixes := page.Prefixes[:0:0]
	for _, p := range page.Prefixes {
		if k, ok := b.rel(p); ok {
			prefixes = append(prefixes, k)
		}
	}
	page.Prefixes = prefixes
	return page, nil
}

// Remove deletes the object at prefix+key.
func (b *Backend) Remove(ctx context.Context, key string) error {
	err := backend.ValidateKey("remove", key)
	if err == nil {
		err = b.ready(ctx, "remove", key)
	}
	if err != nil {
		return err
	}
	return b.relErr(b.inner.Remove(ctx, b.full(key)))
}

// Close closes the view: every later call gives ErrClosed. It closes the
// inner backend only with CloseInner, once. Close is idempotent.
func (b *Backend) Close() error {
	if !b.guard.Close() || !b.own {
		return nil
	}
	return b.inner.Close()
}

// CheckKey reports, without I/O, an error wrapping ErrInvalidKey for a key
// the view cannot hold (backend.KeyChecker): one backend.ValidateKey
// refuses, one longer than backend.MaxKeyLen with the prefix, or one whose
// inner key the inner backend's KeyChecker refuses. Every view has it,
// since every view refuses keys that ValidateKey accepts (the longest).
func (b *Backend) CheckKey(op, key string) error {
	if err := backend.ValidateKey(op, key); err != nil {
		return err
	}
	if err := b.checkLen(op, key); err != nil {
		return err
	}
	if b.kc == nil {
		return nil
	}
	return b.relErr(b.kc.CheckKey(op, b.full(key)))
}

// ready makes the checks that follow the validation of a key's text: its
// length with the prefix (an argument, so before ErrClosed), then the
// view's ErrClosed and ctx's error.
func (b *Backend) ready(ctx context.Context, op, key string) error {
	if err := b.checkLen(op, key); err != nil {
		return err
	}
	return b.guard.Ready(ctx, op, key)
}

// reader names the relative key in the errors of a Get body.
type reader struct {
	rc io.ReadCloser
	b  *Backend
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		err = r.b.relErr(err)
	}
	return n, err
}

func (r *reader) Close() error { return r.b.relErr(r.rc.Close()) }
