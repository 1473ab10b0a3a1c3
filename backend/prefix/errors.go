package prefix

import (
	"errors"

	"github.com/objstore-dev/objstore/backend"
)

// relErr returns err with every *backend.Error in its chain of
// *backend.Errors naming the relative key instead of the inner one, so
// that no error of the view names the prefix in its Key. Kinds and
// causes are kept, so errors.Is and errors.As find the same sentinels and
// native errors; a native error's own text (an fs path, say) may still
// mention the inner key. An *Error is copied, never changed in place: the
// inner backend may hold on to it.
func (b *Backend) relErr(err error) error {
	e, ok := err.(*backend.Error)
	if !ok {
		return err
	}
	c := *e
	if rel, ok := b.rel(e.Key); ok {
		c.Key = rel
	} else if e.Key+"/" == b.prefix || e.Key == b.prefix {
		c.Key = "" // the view's root: a list of "" or its folder object
	}
	c.Err = b.relErr(e.Err)
	return &c
}

// relErrs is relErr for the joined errors of a RemoveMany: each joined
// error is rewritten, and the join rebuilt.
func (b *Backend) relErrs(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*backend.Error); ok {
		return b.relErr(err)
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	errs := j.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = b.relErr(e)
	}
	return errors.Join(out...)
}
