package pagetoken_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/pagetoken"
)

// pager is a Page that records the state it was given and returns next.
type pager struct {
	calls int
	got   []byte
	opts  backend.ListOptions
	next  []byte
	err   error
}

func (p *pager) page(_ context.Context, opts backend.ListOptions, state []byte) (backend.ListPage, []byte, error) {
	p.calls++
	p.got, p.opts = state, opts
	if p.err != nil {
		return backend.ListPage{}, nil, p.err
	}
	return backend.ListPage{Objects: []backend.ObjectInfo{{Key: "p/a"}}}, p.next, nil
}

func TestStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	var g backend.Guard
	for _, state := range []string{"a", "dir/key with spaces", "ключ/😀", "\x00\xff binary", "+/=?&#"} {
		p := &pager{next: []byte(state)}
		page, err := pagetoken.List(ctx, &g, backend.ListOptions{Prefix: "p/"}, p.page)
		require.NoError(t, err)
		assert.Nil(t, p.got, "the first page starts from no state")
		assert.Equal(t, backend.DefaultPageSize, p.opts.PageSize, "the page gets checked options")
		assert.Equal(t, []backend.ObjectInfo{{Key: "p/a"}}, page.Objects)
		tok := page.NextToken
		require.NotEmpty(t, tok)
		assert.False(t, strings.ContainsAny(tok, "/+=?&# "), "printable and URL-safe: %q", tok)
		if len(state) > 1 {
			assert.NotContains(t, tok, state, "the state is not readable in the token")
		}

		p.next = nil
		page, err = pagetoken.List(ctx, &g, backend.ListOptions{Prefix: "p/", Token: tok}, p.page)
		require.NoError(t, err)
		assert.Equal(t, state, string(p.got), "the next page starts from the state of the previous one")
		assert.Empty(t, page.NextToken, "no next state: the listing is complete")
	}
}

func TestMalformedToken(t *testing.T) {
	var g backend.Guard
	for _, tok := range []string{"!!not base64!!", "a", "YQ==", "a b"} {
		p := &pager{}
		_, err := pagetoken.List(context.Background(), &g, backend.ListOptions{Prefix: "p/", Token: tok}, p.page)
		require.ErrorIs(t, err, backend.ErrInvalidArgument, tok)
		var be *backend.Error
		require.ErrorAs(t, err, &be)
		assert.Equal(t, [2]string{"list", "p/"}, [2]string{be.Op, be.Key}, tok)
		assert.Zero(t, p.calls, "no page for a malformed token")
	}
}

func TestGuardAndPageErrors(t *testing.T) {
	ctx := context.Background()
	var g backend.Guard
	p := &pager{}
	_, err := pagetoken.List(ctx, &g, backend.ListOptions{Prefix: "../"}, p.page)
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	p.err = backend.NewError("list", "p/", backend.ErrPermission, errors.New("denied"))
	_, err = pagetoken.List(ctx, &g, backend.ListOptions{Prefix: "p/"}, p.page)
	assert.Same(t, p.err, err, "the page's error as it is")

	g.Close()
	p.err = nil
	_, err = pagetoken.List(ctx, &g, backend.ListOptions{Prefix: "p/"}, p.page)
	require.ErrorIs(t, err, backend.ErrClosed)
	assert.Equal(t, 1, p.calls, "no page after Close or for an invalid prefix")
}
