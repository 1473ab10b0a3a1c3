package observe_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
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
// also has mem's RemoveMany and Copy, which Compose must not expose unless
// told to.
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
func (s spy) Compose(context.Context, string, []backend.ObjectInfo, backend.PutOptions) (backend.ObjectInfo, error) {
	s.record("Compose")
	return backend.ObjectInfo{}, nil
}
func (s spy) Copy(context.Context, string, string, backend.CopyOptions) (backend.ObjectInfo, error) {
	s.record("Copy")
	return backend.ObjectInfo{}, nil
}

var _ observe.Instrumented = spy{}

// capability is what the tests know of one field of observe.Caps.
type capability struct {
	name  string
	set   func(c *observe.Caps, v observe.Instrumented) // set the field to v
	has   func(b backend.Backend) bool                  // b has it, by type assertion
	as    func(b backend.Backend) bool                  // backend.As finds it
	call  func(ctx context.Context, b backend.Backend) error
	calls []string // what a spy records for call
}

func capOf[T any](name string, set func(*observe.Caps, observe.Instrumented), call func(context.Context, T) error, calls ...string) capability {
	return capability{
		name: name,
		set:  set,
		has:  func(b backend.Backend) bool { _, ok := b.(T); return ok },
		as:   func(b backend.Backend) bool { _, ok := backend.As[T](b); return ok },
		call: func(ctx context.Context, b backend.Backend) error {
			x, _ := b.(T)
			return call(ctx, x)
		},
		calls: calls,
	}
}

// caps are the fields of observe.Caps, in the order of its bits.
var caps = []capability{
	capOf("BatchRemover", func(c *observe.Caps, v observe.Instrumented) { c.BatchRemover = v },
		func(ctx context.Context, x backend.BatchRemover) error { return x.RemoveMany(ctx, []string{"k"}) },
		"RemoveMany"),
	capOf("HealthChecker", func(c *observe.Caps, v observe.Instrumented) { c.HealthChecker = v },
		func(ctx context.Context, x backend.HealthChecker) error { _, err := x.Health(ctx); return err },
		"Health"),
	capOf("Presigner", func(c *observe.Caps, v observe.Instrumented) { c.Presigner = v },
		func(ctx context.Context, x backend.Presigner) error {
			if _, err := x.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{}); err != nil {
				return err
			}
			_, err := x.Presign(ctx, http.MethodPut, "k", time.Minute, backend.PresignOptions{})
			return err
		},
		"PresignGET", "PresignPUT"),
	capOf("Lifecycler", func(c *observe.Caps, v observe.Instrumented) { c.Lifecycler = v },
		func(ctx context.Context, x backend.Lifecycler) error {
			if err := x.SetExpiry(ctx, "p/", 1); err != nil {
				return err
			}
			_, err := x.Expiry(ctx)
			return err
		},
		"SetExpiry", "Expiry"),
	capOf("Composer", func(c *observe.Caps, v observe.Instrumented) { c.Composer = v },
		func(ctx context.Context, x backend.Composer) error {
			_, err := x.Compose(ctx, "d", []backend.ObjectInfo{{Key: "k", Size: 1}}, backend.PutOptions{Size: -1})
			return err
		},
		"Compose"),
	capOf("Copier", func(c *observe.Caps, v observe.Instrumented) { c.Copier = v },
		func(ctx context.Context, x backend.Copier) error {
			_, err := x.Copy(ctx, "d", "k", backend.CopyOptions{})
			return err
		},
		"Copy"),
}

// Every field of observe.Caps is in caps, in order.
func TestCapsListsEveryField(t *testing.T) {
	typ := reflect.TypeFor[observe.Caps]()
	var fields, listed []string
	for i := range typ.NumField() {
		fields = append(fields, typ.Field(i).Name)
	}
	for _, c := range caps {
		listed = append(listed, c.name)
	}
	require.Equal(t, fields, listed)
}

func masks() int { return 1 << len(caps) }

func maskName(mask int) string {
	var names []string
	for i, c := range caps {
		if mask&(1<<i) != 0 {
			names = append(names, c.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// bits is the set of capabilities of mask.
func bits(mask int) []bool {
	out := make([]bool, len(caps))
	for i := range caps {
		out[i] = mask&(1<<i) != 0
	}
	return out
}

// has reports which capabilities b has, by type assertion on b itself.
func has(b backend.Backend) []bool {
	out := make([]bool, len(caps))
	for i, c := range caps {
		out[i] = c.has(b)
	}
	return out
}

// pick returns Caps with the fields of mask, each served by the spy
// given for it.
func pick(spies []spy, mask int) observe.Caps {
	var c observe.Caps
	for i, cp := range caps {
		if mask&(1<<i) != 0 {
			cp.set(&c, spies[i])
		}
	}
	return c
}

// callAll calls every capability method b has.
func callAll(t *testing.T, b backend.Backend) {
	t.Helper()
	for _, c := range caps {
		if c.has(b) {
			require.NoError(t, c.call(t.Context(), b), c.name)
		}
	}
}

// For each set of capabilities, Compose gives exactly those, each served
// by its own field's value; the Backend methods, Unwrap and String stay
// b's.
func TestComposeEveryCombination(t *testing.T) {
	for mask := range masks() {
		t.Run(maskName(mask), func(t *testing.T) {
			spies := make([]spy, len(caps))
			for i, c := range caps {
				spies[i] = newSpy(c.name)
			}
			inner := struct{ backend.Backend }{mem.New()} // no capabilities for As to find below
			b := base{Backend: mem.New(), inner: inner}
			x := observe.Compose(b, pick(spies, mask))

			want := bits(mask)
			assert.Equal(t, want, has(x), "capabilities")
			callAll(t, x)
			for i, c := range caps {
				var wantCalls []string
				if want[i] {
					for _, m := range c.calls {
						wantCalls = append(wantCalls, c.name+"."+m)
					}
				}
				assert.Equal(t, wantCalls, spies[i].log(), c.name)
				// backend.As finds the served capability, never b's
				// own (mem's RemoveMany and Copy), and nothing the set
				// lacks.
				assert.Equal(t, want[i], c.as(x), "backend.As finds %s", c.name)
			}

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
// capabilities of its inner backend, all served by x, for each set an
// inner backend can have.
func TestServedByKeepsTheInnerCapabilities(t *testing.T) {
	all := make([]spy, len(caps))
	for i := range all {
		all[i] = newSpy("inner")
	}
	for mask := range masks() {
		t.Run(maskName(mask), func(t *testing.T) {
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
					n += len(caps[i].calls)
				}
			}
			assert.Len(t, x.log(), n, "every call went to x")
		})
	}
}

// ServedBy leaves out a capability that x does not implement, even when
// the inner backend has it: a wrapper that does not instrument it leaves
// it to backend.As (through Unwrap), and never claims it itself.
func TestServedByLeavesOutWhatXLacks(t *testing.T) {
	all := make([]spy, len(caps))
	for i := range all {
		all[i] = newSpy("inner")
	}
	in := pick(all, masks()-1)
	s := in.ServedBy(onlyRemover{})
	assert.NotNil(t, s.BatchRemover)
	assert.Nil(t, s.Copier)
	assert.Nil(t, s.Composer)
	assert.Nil(t, s.Presigner)
	x := observe.Compose(base{Backend: mem.New(), inner: observe.Compose(base{Backend: mem.New(), inner: nil}, in)}, s)
	assert.Equal(t, []bool{true, false, false, false, false, false}, has(x))
	for _, c := range caps {
		assert.True(t, c.as(x), "backend.As finds the inner %s through Unwrap", c.name)
	}
}

type onlyRemover struct{}

func (onlyRemover) RemoveMany(context.Context, []string) error { return nil }

// CapsOf looks through wrappers that do not have a capability themselves.
func TestCapsOfLooksThroughWrappers(t *testing.T) {
	full := observetest.NewFull()
	plain := observe.Compose(base{Backend: mem.New(), inner: full}, observe.Caps{})
	assert.Equal(t, make([]bool, len(caps)), has(plain))
	c := observe.CapsOf(plain)
	assert.Same(t, full, c.BatchRemover)
	assert.Same(t, full, c.HealthChecker)
	assert.Same(t, full, c.Presigner)
	assert.Same(t, full, c.Lifecycler)
	assert.Same(t, full, c.Composer)
	assert.Same(t, full, c.Copier)

	assert.Equal(t, observe.Caps{}, observe.CapsOf(struct{ backend.Backend }{mem.New()}))
	assert.Equal(t, observe.Caps{}, observe.Caps{}.ServedBy(newSpy("x")))
}
