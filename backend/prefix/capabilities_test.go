package prefix_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/prefix"
	"github.com/objstore-dev/objstore/internal/observe"
)

// fakeBase is mem with no capability of its own, for observe.Compose.
// Its Unwrap ends backend.As's search.
type fakeBase struct{ *mem.Backend }

func (fakeBase) Unwrap() backend.Backend { return nil }

// recorder is every optional capability; it records the keys and
// prefixes it is called with, and fails for keys containing "deny".
type recorder struct {
	mu       sync.Mutex
	removed  []string
	signed   []string
	expiries map[string]int
}

func (r *recorder) RemoveMany(_ context.Context, keys []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, k := range keys {
		if strings.Contains(k, "deny") {
			errs = append(errs, backend.NewError("remove", k, backend.ErrPermission, errors.New("refused by policy")))
			continue
		}
		r.removed = append(r.removed, k)
	}
	return errors.Join(errs...)
}

func (r *recorder) Health(context.Context) ([]backend.EndpointHealth, error) {
	return []backend.EndpointHealth{{Endpoint: "127.0.0.1:9000", Live: true, Ready: true}}, nil
}

func (r *recorder) Presign(_ context.Context, method, key string, _ time.Duration, _ backend.PresignOptions) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if strings.Contains(key, "deny") {
		return "", backend.NewError(backend.PresignOp(method), key, backend.ErrNotSupported, errors.New("cannot sign"))
	}
	r.signed = append(r.signed, method+" "+key)
	return "http://store.example/bucket/" + key + "?X-Sig=1", nil
}

func (r *recorder) SetExpiry(_ context.Context, prefix string, days int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expiries[prefix] = days
	return nil
}

func (r *recorder) Expiry(context.Context) (map[string]int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.expiries))
	for k, v := range r.expiries {
		out[k] = v
	}
	return out, nil
}

// fakeInner is mem with the capabilities of mask (bit 0 BatchRemover, 1
// HealthChecker, 2 Presigner, 3 Lifecycler), served by r.
func fakeInner(mask int, r *recorder) backend.Backend {
	var c observe.Caps
	if mask&1 != 0 {
		c.BatchRemover = r
	}
	if mask&2 != 0 {
		c.HealthChecker = r
	}
	if mask&4 != 0 {
		c.Presigner = r
	}
	if mask&8 != 0 {
		c.Lifecycler = r
	}
	return observe.Compose(fakeBase{mem.New()}, c)
}

func has[T any](b backend.Backend) bool {
	_, ok := backend.As[T](b)
	return ok
}

// A view has exactly the capabilities of its inner backend, and always
// KeyChecker; it has no Unwrap.
func TestCapabilitiesFollowInner(t *testing.T) {
	for mask := range 16 {
		inner := fakeInner(mask, &recorder{expiries: map[string]int{}})
		v, err := prefix.New(inner, "view/")
		require.NoError(t, err)
		want := [4]bool{mask&1 != 0, mask&2 != 0, mask&4 != 0, mask&8 != 0}
		got := [4]bool{has[backend.BatchRemover](v), has[backend.HealthChecker](v), has[backend.Presigner](v), has[backend.Lifecycler](v)}
		assert.Equal(t, want, got, "mask %04b", mask)
		assert.True(t, has[backend.KeyChecker](v), "mask %04b", mask)
		_, isWrapper := v.(backend.Wrapper)
		assert.False(t, isWrapper, "a view must not lead backend.As to the inner backend")
		require.NoError(t, v.Close())
		require.NoError(t, inner.Close())
	}
	// A view of a view has the capabilities of the innermost backend.
	inner := fakeInner(0b0101, &recorder{expiries: map[string]int{}})
	v, err := prefix.New(inner, "a/")
	require.NoError(t, err)
	vv, err := prefix.New(v, "b/")
	require.NoError(t, err)
	assert.True(t, has[backend.BatchRemover](vv))
	assert.True(t, has[backend.Presigner](vv))
	assert.False(t, has[backend.HealthChecker](vv))
	assert.False(t, has[backend.Lifecycler](vv))
}

// Each capability maps keys and prefixes into the view, and its errors
// name the relative key.
func TestCapabilitiesConfined(t *testing.T) {
	ctx := context.Background()
	r := &recorder{expiries: map[string]int{}}
	inner := fakeInner(0b1111, r)
	v, err := prefix.New(inner, "view/", prefix.CloseInner())
	require.NoError(t, err)

	br, _ := backend.As[backend.BatchRemover](v)
	err = br.RemoveMany(ctx, []string{"a", "b/c", "deny/1", "../x", "deny-2"})
	assert.Equal(t, []string{"view/a", "view/b/c"}, r.removed)
	require.ErrorIs(t, err, backend.ErrPermission)
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	assert.Equal(t, []string{"../x", "deny-2", "deny/1"}, errKeys(err), "every error names its relative key")
	assert.NotContains(t, err.Error(), "view/")

	p, _ := backend.As[backend.Presigner](v)
	u, err := p.Presign(ctx, http.MethodGet, "k/obj", time.Minute, backend.PresignOptions{})
	require.NoError(t, err)
	assert.Equal(t, "http://store.example/bucket/view/k/obj?X-Sig=1", u)
	_, err = p.Presign(ctx, http.MethodPut, "../obj", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)
	_, err = p.Presign(ctx, http.MethodGet, "k", 0, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = p.Presign(ctx, http.MethodGet, "deny", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported)
	assert.Equal(t, []string{"deny"}, errKeys(err))
	assert.Equal(t, []string{"GET view/k/obj"}, r.signed, "nothing was signed for the refused calls")

	l, _ := backend.As[backend.Lifecycler](v)
	require.NoError(t, l.SetExpiry(ctx, "logs/", 7))
	require.NoError(t, l.SetExpiry(ctx, "", 30))
	require.ErrorIs(t, l.SetExpiry(ctx, "../", 1), backend.ErrInvalidKey)
	// Rules outside the view, also those covering it, are not shown.
	r.expiries[""] = 1
	r.expiries["vie"] = 2
	r.expiries["other/"] = 3
	r.expiries["view0/"] = 4
	rules, err := l.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"": 30, "logs/": 7}, rules)
	assert.Equal(t, 7, r.expiries["view/logs/"])

	h, _ := backend.As[backend.HealthChecker](v)
	hs, err := h.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9000", hs[0].Endpoint)

	// After Close, every capability gives ErrClosed.
	require.NoError(t, v.Close())
	require.ErrorIs(t, br.RemoveMany(ctx, []string{"a"}), backend.ErrClosed)
	_, err = p.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrClosed)
	require.ErrorIs(t, l.SetExpiry(ctx, "x/", 1), backend.ErrClosed)
	_, err = l.Expiry(ctx)
	require.ErrorIs(t, err, backend.ErrClosed)
	_, err = h.Health(ctx)
	require.ErrorIs(t, err, backend.ErrClosed)
	_, err = inner.Stat(ctx, "x")
	require.ErrorIs(t, err, backend.ErrClosed, "CloseInner: the view closed the inner backend")
}

// errKeys returns the Key of each *backend.Error joined in err, sorted.
func errKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*backend.Error); ok {
			keys = append(keys, e.Key)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return sorted(keys)
}
