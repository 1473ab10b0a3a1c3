package observe_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/internal/observe"
	"github.com/objstore-dev/objstore/internal/observe/observetest"
)

// base is a Base that serves the Backend methods with mem. Its own type
// also has mem's RemoveMany, which Compose must not expose unless told to.
type base struct {
	*mem.Backend
	inner backend.Backend
}

func (b base) Unwrap() backend.Backend { return b.inner }
func (b base) String() string          { return "base" }

// spy serves every capability and records which of its methods ran, as
// "name.method".
type spy struct {
	name  string
	mu    *sync.Mutex
	calls *[]string
}

func newSpy(name string) spy { return spy{name: name, mu: new(sync.Mutex), calls: new([]string)} }

func (s spy) record(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.calls = append(*s.calls, s.name+"."+method)
}

func (s spy) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), *s.calls...)
}

func (s spy) RemoveMany(context.Context, []string) error { s.record("RemoveMany"); return nil }
func (s spy) Health(context.Context) ([]backend.EndpointHealth, error) {
	s.record("Health")
	return nil, nil
}
func (s spy) Presign(_ context.Context, method, _ string, _ time.Duration, _ backend.PresignOptions) (string, error) {
	s.record("Presign" + method)
	return "", nil
}
func (s spy) SetExpiry(context.Context, string, int) error { s.record("SetExpiry"); return nil }
func (s spy) Expiry(context.Context) (map[string]int, error) {
	s.record("Expiry")
	return nil, nil
}

var _ observe.Instrumented = spy{}

// capNames are the capabilities in the order of the bits of a mask.
var capNames = []string{"BatchRemover", "HealthChecker", "Presigner", "Lifecycler"}

// has reports which capabilities b has, by type assertion on b itself.
func has(b backend.Backend) [4]bool {
	_, br := b.(backend.BatchRemover)
	_, hc := b.(backend.HealthChecker)
	_, ps := b.(backend.Presigner)
	_, lc := b.(backend.Lifecycler)
	return [4]bool{br, hc, ps, lc}
}

// bits is the set of capabilities of mask.
func bits(mask int) [4]bool {
	return [4]bool{mask&1 != 0, mask&2 != 0, mask&4 != 0, mask&8 != 0}
}

// pick returns the fields of all that mask selects.
func pick(all observe.Caps, mask int) observe.Caps {
	var c observe.Caps
	in := bits(mask)
	if in[0] {
		c.BatchRemover = all.BatchRemover
	}
	if in[1] {
		c.HealthChecker = all.HealthChecker
	}
	if in[2] {
		c.Presigner = all.Presigner
	}
	if in[3] {
		c.Lifecycler = all.Lifecycler
	}
	return c
}

// callAll calls every capability method b has.
func callAll(t *testing.T, b backend.Backend) {
	t.Helper()
	ctx := t.Context()
	if x, ok := b.(backend.BatchRemover); ok {
		require.NoError(t, x.RemoveMany(ctx, []string{"k"}))
	}
	if x, ok := b.(backend.HealthChecker); ok {
		_, err := x.Health(ctx)
		require.NoError(t, err)
	}
	if x, ok := b.(backend.Presigner); ok {
		_, err := x.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		_, err = x.Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
	}
	if x, ok := b.(backend.Lifecycler); ok {
		require.NoError(t, x.SetExpiry(ctx, "p/", 1))
		_, err := x.Expiry(ctx)
		require.NoError(t, err)
	}
}

// For each of the sixteen sets of capabilities, Compose gives exactly
// those, each served by its own field's value; the Backend methods,
// Unwrap and String stay b's.
func TestComposeEveryCombination(t *testing.T) {
	for mask := range 16 {
		t.Run(fmt.Sprintf("%04b", mask), func(t *testing.T) {
			br, hc, ps, lc := newSpy("br"), newSpy("hc"), newSpy("ps"), newSpy("lc")
			inner := struct{ backend.Backend }{mem.New()} // no capabilities for As to find below
			b := base{Backend: mem.New(), inner: inner}
			x := observe.Compose(b, pick(observe.Caps{BatchRemover: br, HealthChecker: hc, Presigner: ps, Lifecycler: lc}, mask))

			want := bits(mask)
			assert.Equal(t, want, has(x), "capabilities of %v", capNames)
			callAll(t, x)
			var wantCalls [4][]string
			if want[0] {
				wantCalls[0] = []string{"br.RemoveMany"}
			}
			if want[1] {
				wantCalls[1] = []string{"hc.Health"}
			}
			if want[2] {
				wantCalls[2] = []string{"ps.PresignGET", "ps.PresignPUT"}
			}
			if want[3] {
				wantCalls[3] = []string{"lc.SetExpiry", "lc.Expiry"}
			}
			assert.Equal(t, wantCalls, [4][]string{br.log(), hc.log(), ps.log(), lc.log()})

			// backend.As finds the served capability, never b's own
			// RemoveMany, and nothing the set lacks.
			_, found := backend.As[backend.BatchRemover](x)
			assert.Equal(t, want[0], found)
			_, found = backend.As[backend.Lifecycler](x)
			assert.Equal(t, want[3], found)

			w, ok := x.(backend.Wrapper)
			require.True(t, ok)
			assert.Equal(t, backend.Backend(inner), w.Unwrap())
			assert.Equal(t, "base", fmt.Sprint(x))
			assert.Equal(t, "base", x.(fmt.Stringer).String())

			ctx := t.Context()
			_, err := x.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
			require.NoError(t, err)
			info, err := b.Stat(ctx, "k")
			require.NoError(t, err, "the Backend methods are b's")
			assert.Equal(t, int64(1), info.Size)
			require.NoError(t, x.Close())
		})
	}
}

// A wrapper built from CapsOf(inner).ServedBy(x) has exactly the
// capabilities of its inner backend, all served by x, for each of the
// sixteen sets an inner backend can have.
func TestServedByKeepsTheInnerCapabilities(t *testing.T) {
	full := observetest.NewFull()
	all := observe.Caps{BatchRemover: full, HealthChecker: full, Presigner: full, Lifecycler: full}
	for mask := range 16 {
		t.Run(fmt.Sprintf("%04b", mask), func(t *testing.T) {
			bare := struct{ backend.Backend }{mem.New()}
			inner := observe.Compose(base{Backend: mem.New(), inner: bare}, pick(all, mask))
			require.Equal(t, bits(mask), has(inner))

			in := observe.CapsOf(inner)
			x := newSpy("x")
			wrapper := observe.Compose(base{Backend: mem.New(), inner: inner}, in.ServedBy(x))
			assert.Equal(t, has(inner), has(wrapper))
			callAll(t, wrapper)
			n := 0
			for i, w := range bits(mask) {
				if w {
					n += []int{1, 1, 2, 2}[i]
				}
			}
			assert.Len(t, x.log(), n, "every call went to x")
		})
	}
}

// CapsOf looks through wrappers that do not have a capability themselves.
func TestCapsOfLooksThroughWrappers(t *testing.T) {
	full := observetest.NewFull()
	plain := observe.Compose(base{Backend: mem.New(), inner: full}, observe.Caps{})
	assert.Equal(t, [4]bool{}, has(plain))
	c := observe.CapsOf(plain)
	assert.Same(t, full, c.BatchRemover)
	assert.Same(t, full, c.HealthChecker)
	assert.Same(t, full, c.Presigner)
	assert.Same(t, full, c.Lifecycler)

	assert.Equal(t, observe.Caps{}, observe.CapsOf(struct{ backend.Backend }{mem.New()}))
	assert.Equal(t, observe.Caps{}, observe.Caps{}.ServedBy(newSpy("x")))
}
