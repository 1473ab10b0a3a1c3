package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

var (
	_ backend.Backend       = (*Backend)(nil)
	_ backend.BatchRemover  = (*Backend)(nil)
	_ backend.HealthChecker = (*Backend)(nil)
	_ backend.KeyChecker    = (*Backend)(nil)
	_ backend.Wrapper       = (*Backend)(nil)
)

// Backend spreads requests over the endpoints of one store and retries and
// fails them over following the rules of the package documentation. It is
// safe for concurrent use.
//
// It always has BatchRemover and HealthChecker, with fallbacks of its own.
// The other optional capabilities (Presigner, Lifecycler, Copier,
// Composer) it has exactly when the endpoint backends have them, found
// with backend.As through Unwrap, which returns the Backend with those
// capabilities: it never claims one that its endpoints lack.
type Backend struct {
	cfg    Config
	view   atomic.Pointer[view] // b with the endpoints' capabilities (Unwrap)
	viewMu sync.Mutex           // serialises learn

	mu       sync.Mutex
	eps      []*endpoint        // current endpoints, in resolver order
	draining map[*endpoint]bool // dropped by the resolver, backend still in use
	rr       atomic.Uint64      // round-robin position

	resolveMu   sync.Mutex
	lastResolve time.Time

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	ctx       context.Context // ends at Close; parent of probes
	cancel    context.CancelFunc
	wake      chan struct{} // nudges the prober when an endpoint goes down
	done      chan struct{} // closed when the prober has returned
}

// New asks cfg.Resolve for the endpoints and returns a Backend over them.
// With cfg.Prototype set, no endpoint is opened (or contacted) yet:
// Config.Open runs on first use. Without it, New tries to open the
// endpoints in resolver order until one opens, to learn the capabilities
// of the endpoint backends (Backend.Unwrap); an Open error does not fail
// New (a retryable one marks the endpoint down, any other is returned by
// the first request on that endpoint). New starts one goroutine, the
// re-prober of down endpoints, which Close stops.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.AttemptTimeout)
	addrs, err := cfg.Resolve(rctx)
	cancel()
	if err != nil {
		kind := backend.ErrUnavailable
		var be *backend.Error
		if errors.As(err, &be) && be.Kind != nil {
			kind = be.Kind
		}
		return nil, backend.NewError("open", "", kind, fmt.Errorf("failover: resolving the endpoints: %w", err))
	}
	addrs = dedupe(addrs)
	if len(addrs) == 0 {
		return nil, backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("failover: the resolver returned no endpoints"))
	}
	b := &Backend{
		cfg:         cfg,
		draining:    map[*endpoint]bool{},
		lastResolve: time.Now(),
		wake:        make(chan struct{}, 1),
		done:        make(chan struct{}),
	}
	for _, a := range addrs {
		b.eps = append(b.eps, newEndpoint(a))
	}
	b.initCapabilities(ctx) // before the prober, which reads b.cfg.Open
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.probeLoop()
	return b, nil
}

// Close stops the re-prober and closes every opened endpoint backend.
// Requests still running fail with ErrClosed. Close is idempotent.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		b.cancel()
		<-b.done
		b.mu.Lock()
		eps := append([]*endpoint(nil), b.eps...)
		for e := range b.draining {
			eps = append(eps, e)
		}
		b.mu.Unlock()
		var errs []error
		for _, e := range eps {
			if err := e.close(); err != nil {
				errs = append(errs, fmt.Errorf("endpoint %s: %w", e.name, err))
			}
		}
		if len(errs) > 0 {
			b.closeErr = backend.NewError("close", "", nil, errors.Join(errs...))
		}
	})
	return b.closeErr
}

// String names the endpoints, never credentials.
func (b *Backend) String() string { return "failover(" + b.names() + ")" }

// GoString is what %#v prints: the number of endpoints, never their
// names (which may hold credentials) nor the fields themselves, which the
// re-prober and the requests change while fmt would read them with
// reflection (a data race).
func (b *Backend) GoString() string {
	b.mu.Lock()
	n := len(b.eps)
	b.mu.Unlock()
	return fmt.Sprintf("failover.Backend{endpoints: %d}", n)
}

// Endpoints reports the state of every current endpoint, in resolver
// order.
func (b *Backend) Endpoints() []EndpointStatus {
	b.mu.Lock()
	eps := append([]*endpoint(nil), b.eps...)
	b.mu.Unlock()
	out := make([]EndpointStatus, len(eps))
	for i, e := range eps {
		out[i] = e.status()
	}
	return out
}

// checkOpen returns ErrClosed after Close.
func (b *Backend) checkOpen(op, key string) error {
	if b.closed.Load() {
		return backend.NewError(op, key, backend.ErrClosed, nil)
	}
	return nil
}

// Stat returns the info of key, retried per the package rules.
func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.checkOpen("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	return run(ctx, b, "stat", key, nil, timed(b, "stat", key, func(ctx context.Context, be backend.Backend) (backend.ObjectInfo, error) {
		return be.Stat(ctx, key)
	}))
}

// List returns one page of a listing. Pages may come from different
// endpoints: the tokens of one store's endpoints are interchangeable.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if _, err := backend.CheckList(opts); err != nil {
		return backend.ListPage{}, err
	}
	if err := b.checkOpen("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	return run(ctx, b, "list", opts.Prefix, nil, timed(b, "list", opts.Prefix, func(ctx context.Context, be backend.Backend) (backend.ListPage, error) {
		return be.List(ctx, opts)
	}))
}

// Remove deletes key. Removal is idempotent, so it is retried like a read.
func (b *Backend) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	if err := b.checkOpen("remove", key); err != nil {
		return err
	}
	_, err := run(ctx, b, "remove", key, nil, timed(b, "remove", key, func(ctx context.Context, be backend.Backend) (struct{}, error) {
		return struct{}{}, be.Remove(ctx, key)
	}))
	return err
}

func dedupe(addrs []string) []string {
	seen := make(map[string]bool, len(addrs))
	out := addrs[:0:0]
	for _, a := range addrs {
		a = strings.TrimSpace(a)
		if a == "" || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}
