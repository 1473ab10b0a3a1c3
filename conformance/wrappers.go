package conformance

//go:generate go run gen_wrappers.go

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Capability names an optional capability of package backend (an
// interface a backend may implement beside Backend).
type Capability string

// The optional capabilities RunWrapper checks: every interface of package
// backend but Backend and Wrapper (a test of this package fails when
// backend gains one that is not listed here).
const (
	BatchRemover  Capability = "BatchRemover"
	HealthChecker Capability = "HealthChecker"
	Presigner     Capability = "Presigner"
	Lifecycler    Capability = "Lifecycler"
	KeyChecker    Capability = "KeyChecker"
	Composer      Capability = "Composer"
	Copier        Capability = "Copier"
)

// capability is what RunWrapper knows of one Capability: how to find it
// on a value (own) and through Unwrap (as, with backend.As), and a call
// that the inner backend records (probe).
type capability struct {
	name  Capability
	own   func(b backend.Backend) bool
	as    func(b backend.Backend) (any, bool)
	probe func(ctx context.Context, v any) error
}

func capOf[T any](name Capability, probe func(ctx context.Context, v T) error) capability {
	return capability{
		name: name,
		own:  func(b backend.Backend) bool { _, ok := b.(T); return ok },
		as: func(b backend.Backend) (any, bool) {
			v, ok := backend.As[T](b)
			return v, ok
		},
		probe: func(ctx context.Context, v any) error { return probe(ctx, v.(T)) },
	}
}

// The keys the probes use; the source of Compose and Copy is put through
// the wrapper first.
const (
	wrapSrc = "wrapcheck/src"
	wrapDst = "wrapcheck/dst"
)

// capabilityList is in the order of gen_wrappers.go: bit i of a mask of
// withCapabilities is capabilityList[i].
var capabilityList = []capability{
	capOf(BatchRemover, func(ctx context.Context, c backend.BatchRemover) error {
		return c.RemoveMany(ctx, []string{"wrapcheck/missing"})
	}),
	capOf(HealthChecker, func(ctx context.Context, c backend.HealthChecker) error {
		_, err := c.Health(ctx)
		return err
	}),
	capOf(Presigner, func(ctx context.Context, c backend.Presigner) error {
		_, err := c.Presign(ctx, http.MethodGet, wrapSrc, time.Minute, backend.PresignOptions{})
		return err
	}),
	capOf(Lifecycler, func(ctx context.Context, c backend.Lifecycler) error {
		if err := c.SetExpiry(ctx, "wrapcheck/", 1); err != nil {
			return err
		}
		_, err := c.Expiry(ctx)
		return err
	}),
	capOf(KeyChecker, func(_ context.Context, c backend.KeyChecker) error {
		return c.CheckKey("put", wrapDst)
	}),
	capOf(Composer, func(ctx context.Context, c backend.Composer) error {
		_, err := c.Compose(ctx, wrapDst, []backend.ObjectInfo{{Key: wrapSrc, Size: 3}}, backend.PutOptions{Size: -1})
		return err
	}),
	capOf(Copier, func(ctx context.Context, c backend.Copier) error {
		_, err := c.Copy(ctx, wrapDst, wrapSrc, backend.CopyOptions{})
		return err
	}),
}

// Capabilities lists the optional capabilities that RunWrapper checks.
func Capabilities() []Capability {
	out := make([]Capability, len(capabilityList))
	for i, c := range capabilityList {
		out[i] = c.name
	}
	return out
}

// Behaviour is how a wrapper treats one capability of its inner backend
// (see Expect).
type Behaviour int

const (
	// Forwarded, the default (but for KeyChecker): the wrapper's own value
	// has the capability exactly when the inner backend has it, and a
	// call reaches the inner backend's. It may do its own work around the
	// call (instrument it, map keys, retry it).
	Forwarded Behaviour = iota
	// Unwrapped: backend.As finds the capability exactly when the inner
	// backend has it, possibly through Unwrap, which reaches the inner
	// backend directly and bypasses the wrapper. The wrapper's own value
	// never claims it when the inner backend lacks it. The default for
	// KeyChecker, whose contract says wrappers need not forward it; for
	// any other capability a wrapper declares it to admit that its
	// calls skip the wrapper.
	Unwrapped
	// Provided: the wrapper always has the capability, with a fallback of
	// its own when the inner backend lacks it (failover removes key by key
	// and probes health with a listing); a call reaches the inner
	// backend's when it has one.
	Provided
	// Refused: the wrapper always has the capability (it cannot know the
	// inner backend's when it is made: failover opens endpoints lazily)
	// and answers ErrNotSupported, without reaching the inner backend,
	// when the inner backend lacks it; a call reaches the inner backend's
	// when it has one.
	Refused
	// Hidden: the wrapper never has the capability, not even through
	// Unwrap, whatever the inner backend has. Callers fall back.
	Hidden
)

func (b Behaviour) String() string {
	switch b {
	case Forwarded:
		return "forwarded"
	case Unwrapped:
		return "unwrapped"
	case Provided:
		return "provided"
	case Refused:
		return "refused"
	case Hidden:
		return "hidden"
	}
	return fmt.Sprintf("Behaviour(%d)", int(b))
}

// WrapperOption tunes RunWrapper.
type WrapperOption func(map[Capability]Behaviour)

// Expect declares how the wrapper treats capability c, when it is not
// Forwarded (the default; Unwrapped for KeyChecker).
func Expect(c Capability, b Behaviour) WrapperOption {
	return func(m map[Capability]Behaviour) { m[c] = b }
}

// RunWrapper checks that a wrapper forwards every optional capability of
// the backend it wraps and claims none that backend lacks (rclone's
// FsCheckWrap; style habit 14). For each subset of Capabilities it builds
// an inner backend (over mem) that has exactly those capabilities, wraps
// it with wrap, and checks each capability, found on the wrapper with a
// type assertion and with backend.As, against its expected Behaviour; a
// capability that is found is called, and the call must reach the inner
// backend (and succeed). Each subset is a subtest of t named after it
// ("none", "BatchRemover+Presigner").
//
// wrap must return a new wrapper of inner; it may register cleanups with
// t. RunWrapper closes the wrapper at the end of the subtest (a wrapper
// that leaves its inner backend open is fine: the inner is closed too).
func RunWrapper(t *testing.T, wrap func(t *testing.T, inner backend.Backend) backend.Backend, opts ...WrapperOption) {
	t.Helper()
	want := map[Capability]Behaviour{KeyChecker: Unwrapped}
	for _, o := range opts {
		o(want)
	}
	for c := range want {
		if !knownCapability(c) {
			t.Fatalf("conformance: unknown capability %q (known: %v)", c, Capabilities())
		}
	}
	for mask := uint(0); mask < 1<<numCapabilities; mask++ {
		t.Run(maskName(mask), func(t *testing.T) {
			f := newFullInner()
			inner := withCapabilities(f, mask)
			t.Cleanup(func() { f.Close() })
			w := wrap(t, inner)
			if w == nil {
				t.Fatal("wrap returned nil")
			}
			defer w.Close()
			checkWrapper(t, w, f, mask, want)
		})
	}
}

func knownCapability(c Capability) bool {
	for _, k := range capabilityList {
		if k.name == c {
			return true
		}
	}
	return false
}

func maskName(mask uint) string {
	var names []string
	for i, c := range capabilityList {
		if mask&(1<<i) != 0 {
			names = append(names, string(c.name))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// checkWrapper checks wrapper w of f with the capabilities of mask.
func checkWrapper(t T, w backend.Backend, f *fullInner, mask uint, want map[Capability]Behaviour) {
	t.Helper()
	ctx := t.Context()
	if _, err := w.Put(ctx, wrapSrc, strings.NewReader("abc"), backend.PutOptions{Size: 3}); err != nil {
		t.Fatalf("put %q through the wrapper: %v", wrapSrc, err)
	}
	for i, c := range capabilityList {
		has := mask&(1<<i) != 0
		b := want[c.name]
		own := c.own(w)
		found, viaAs := c.as(w)
		where := fmt.Sprintf("%s (%s; the inner backend has it: %v)", c.name, b, has)
		var v any
		switch b {
		case Forwarded:
			if own != has {
				t.Errorf("%s: the wrapper's own value has it: %v", where, own)
				continue
			}
			v = w
		case Unwrapped:
			if viaAs != has || own && !has {
				t.Errorf("%s: backend.As finds it: %v; the wrapper's own value has it: %v", where, viaAs, own)
				continue
			}
			v = found
		case Provided, Refused:
			if !own {
				t.Errorf("%s: the wrapper's own value does not have it", where)
				continue
			}
			v = w
		case Hidden:
			if own || viaAs {
				t.Errorf("%s: the wrapper's own value has it: %v; backend.As finds it: %v", where, own, viaAs)
			}
			continue
		}
		if !has && b != Provided && b != Refused {
			continue
		}
		before := f.calls(c.name)
		err := c.probe(ctx, v)
		reached := f.calls(c.name) > before
		switch {
		case has && err != nil:
			t.Errorf("%s: a call failed: %v", where, err)
		case has && !reached:
			t.Errorf("%s: a call did not reach the inner backend's", where)
		case !has && reached:
			t.Errorf("%s: a call reached the inner backend, which lacks it", where)
		case !has && b == Refused && !errors.Is(err, backend.ErrNotSupported):
			t.Errorf("%s: a call gave %v, want an error wrapping ErrNotSupported", where, err)
		case !has && b == Provided && err != nil:
			t.Errorf("%s: the wrapper's own fallback failed: %v", where, err)
		}
	}
}

// fullInner is a mem backend with every capability, each recording its
// calls. withCapabilities hides those a subset lacks.
type fullInner struct {
	*mem.Backend
	mu     sync.Mutex
	n      map[Capability]int
	expiry map[string]int
}

func newFullInner() *fullInner {
	return &fullInner{Backend: mem.New(), n: map[Capability]int{}, expiry: map[string]int{}}
}

func (f *fullInner) record(c Capability) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[c]++
}

func (f *fullInner) calls(c Capability) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[c]
}

func (f *fullInner) String() string { return "inner" }

func (f *fullInner) RemoveMany(ctx context.Context, keys []string) error {
	f.record(BatchRemover)
	return f.Backend.RemoveMany(ctx, keys)
}

func (f *fullInner) Health(context.Context) ([]backend.EndpointHealth, error) {
	f.record(HealthChecker)
	return []backend.EndpointHealth{{Endpoint: "inner", Live: true, Ready: true}}, nil
}

func (f *fullInner) Presign(_ context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	f.record(Presigner)
	if err := backend.CheckPresign(method, key, expiry, 0, opts); err != nil {
		return "", err
	}
	return "https://inner.example/" + key + "?sig=x", nil
}

func (f *fullInner) SetExpiry(_ context.Context, prefix string, days int) error {
	f.record(Lifecycler)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiry[prefix] = days
	return nil
}

func (f *fullInner) Expiry(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.expiry), nil
}

func (f *fullInner) CheckKey(op, key string) error {
	f.record(KeyChecker)
	return backend.ValidateKey(op, key)
}

func (f *fullInner) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	f.record(Composer)
	var rs []io.Reader
	for _, s := range srcs {
		rc, _, err := f.Backend.Get(ctx, s.Key, backend.WholeObject)
		if err != nil {
			return backend.ObjectInfo{}, err
		}
		defer rc.Close()
		rs = append(rs, rc)
	}
	return f.Backend.Put(ctx, dst, io.MultiReader(rs...), backend.PutOptions{Size: -1, ContentType: opts.ContentType, Metadata: opts.Metadata})
}

func (f *fullInner) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	f.record(Copier)
	rc, info, err := f.Backend.Get(ctx, src, backend.WholeObject)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	defer rc.Close()
	if !opts.ReplaceMetadata {
		opts.ContentType, opts.Metadata = info.ContentType, info.Metadata
	}
	return f.Backend.Put(ctx, dst, rc, backend.PutOptions{Size: info.Size, ContentType: opts.ContentType, Metadata: opts.Metadata, IfNotExist: opts.IfNotExist})
}
