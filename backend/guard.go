package backend

import (
	"context"
	"io"
	"sync/atomic"
)

// Guard makes the checks that every Backend method makes before any I/O,
// in the order the contract gives them: first the arguments (ValidateKey,
// CheckPut, CheckGet, CheckList), then ErrClosed once Close was called,
// then the error of a ctx that has already ended. A driver holds one Guard
// and calls its Close from its own Close. The zero value is open; a Guard
// is safe for concurrent use. Every error is an *Error for the method's
// operation and key.
type Guard struct {
	closed atomic.Bool
}

// Close marks the guard closed and reports whether this call did so
// (false: it was closed already), so that a driver releases its resources
// once.
func (g *Guard) Close() (first bool) { return !g.closed.Swap(true) }

// Closed reports whether Close was called.
func (g *Guard) Closed() bool { return g.closed.Load() }

// Ready returns ErrClosed after Close, or ctx's error once ctx has ended,
// as an *Error for op and key; otherwise nil.
func (g *Guard) Ready(ctx context.Context, op, key string) error {
	if g.closed.Load() {
		return NewError(op, key, ErrClosed, nil)
	}
	if err := ctx.Err(); err != nil {
		return NewError(op, key, nil, err)
	}
	return nil
}

// Key checks key with ValidateKey, then Ready: the checks of Stat and
// Remove.
func (g *Guard) Key(ctx context.Context, op, key string) error {
	if err := ValidateKey(op, key); err != nil {
		return err
	}
	return g.Ready(ctx, op, key)
}

// Put checks the arguments of a Put with CheckPut, then Ready, and
// returns the options as CheckPut normalised them.
func (g *Guard) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (PutOptions, error) {
	opts, err := CheckPut(key, r, opts)
	if err != nil {
		return opts, err
	}
	return opts, g.Ready(ctx, "put", key)
}

// Get checks the arguments of a Get with CheckGet, then Ready.
func (g *Guard) Get(ctx context.Context, key string, opts GetOptions) error {
	if err := CheckGet(key, opts); err != nil {
		return err
	}
	return g.Ready(ctx, "get", key)
}

// List checks the options of a List with CheckList, then Ready, and
// returns them with the default page size filled in.
func (g *Guard) List(ctx context.Context, opts ListOptions) (ListOptions, error) {
	opts, err := CheckList(opts)
	if err != nil {
		return opts, err
	}
	return opts, g.Ready(ctx, "list", opts.Prefix)
}
