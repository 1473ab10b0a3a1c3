package backend_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
)

// plain has no capabilities; remover has one; wrapper wraps another.
type plain struct{ backend.Backend }

type remover struct{ plain }

func (remover) RemoveMany(context.Context, []string) error { return nil }

type wrapper struct {
	plain
	inner backend.Backend
}

func (w wrapper) Unwrap() backend.Backend { return w.inner }

func TestAs(t *testing.T) {
	_, ok := backend.As[backend.BatchRemover](plain{})
	assert.False(t, ok)

	r := remover{}
	got, ok := backend.As[backend.BatchRemover](r)
	assert.True(t, ok)
	assert.Equal(t, r, got)

	// Found through two wrappers, innermost.
	got, ok = backend.As[backend.BatchRemover](wrapper{inner: wrapper{inner: r}})
	assert.True(t, ok)
	assert.Equal(t, r, got)

	// A wrapper of something without it, and a wrapper of nil, end the search.
	_, ok = backend.As[backend.BatchRemover](wrapper{inner: plain{}})
	assert.False(t, ok)
	_, ok = backend.As[backend.BatchRemover](wrapper{inner: nil})
	assert.False(t, ok)
	_, ok = backend.As[backend.BatchRemover](nil)
	assert.False(t, ok)

	// The outermost match wins.
	w := wrapperRemover{wrapper{inner: r}}
	got, ok = backend.As[backend.BatchRemover](w)
	assert.True(t, ok)
	assert.Equal(t, w, got)
}

type wrapperRemover struct{ wrapper }

func (wrapperRemover) RemoveMany(context.Context, []string) error { return nil }
