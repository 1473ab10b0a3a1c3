package failover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// fault is one scripted misbehaviour of a fakeEndpoint. The endpoints of a
// fakeCluster share one mem store, as the nodes of a cluster share their
// objects; faults make one endpoint fail the way a driver reports a broken
// server.
type fault struct {
	op    string // "put", "get", "stat", "list", "remove", "health", "open"; "" matches every op
	kind  error  // the sentinel of the returned error (ErrUnavailable, ErrServerBusy, ErrNotFound, ...)
	apply bool   // perform the operation first, then fail: the answer was lost
	readN int64  // put: read this many bytes of the body first (-1: all of it)
	hang  bool   // block until the call's ctx ends, then fail as a transport does
	body  bool   // get: the call succeeds, the body breaks (or hangs) after breakAt bytes
	at    int64  // get body: bytes delivered before the break
	eof   bool   // get body: end with a clean io.EOF at the break (a buggy driver)
	hook  func() // run when the fault fires (for a body fault: at the break)
	times int    // calls it hits: 0 means 1, -1 means every call
	every int    // if > 1, only every n-th matching call is hit

	seen int // matching calls so far, for every
}

// scriptedErr is the native error behind a scripted failure.
func scriptedErr(kind error) error {
	switch kind {
	case backend.ErrUnavailable:
		return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	case backend.ErrServerBusy:
		return errors.New("503 SlowDown: please reduce your request rate")
	case backend.ErrPermission:
		return errors.New("403 AccessDenied")
	}
	return errors.New("scripted failure")
}

type call struct {
	op     string
	key    string
	offset int64
	length int64
}

// fakeEndpoint is a raw endpoint backend for tests: mem plus faults. It
// has every capability, so forwarding can be checked.
type fakeEndpoint struct {
	name  string
	store *mem.Backend

	mu     sync.Mutex
	faults []*fault
	calls  []call
	expiry map[string]int
	closed atomic.Bool
}

var (
	_ backend.Backend       = (*fakeEndpoint)(nil)
	_ backend.HealthChecker = (*fakeEndpoint)(nil)
	_ backend.BatchRemover  = (*fakeEndpoint)(nil)
	_ backend.Presigner     = (*fakeEndpoint)(nil)
	_ backend.Lifecycler    = (*fakeEndpoint)(nil)
)

// script appends faults, applied in order to the calls they match.
func (f *fakeEndpoint) script(fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range fs {
		fl := fs[i]
		f.faults = append(f.faults, &fl)
	}
}

// rescript replaces every fault with fs.
func (f *fakeEndpoint) rescript(fs ...fault) {
	f.mu.Lock()
	f.faults = nil
	f.mu.Unlock()
	f.script(fs...)
}

// take records a call and returns the first fault that matches it.
func (f *fakeEndpoint) take(c call) *fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	for i, fl := range f.faults {
		if fl.op != "" && fl.op != c.op {
			continue
		}
		if fl.every > 1 {
			if fl.seen++; fl.seen%fl.every != 0 {
				continue
			}
		}
		switch {
		case fl.times < 0:
		case fl.times <= 1:
			f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
		default:
			fl.times--
		}
		if fl.hook != nil && !fl.body {
			fl.hook()
		}
		return fl
	}
	return nil
}

func (f *fakeEndpoint) callsOf(op string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if op == "" || c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// fail returns the error of a fault, after hanging if it hangs.
func (fl *fault) fail(ctx context.Context, op, key string) error {
	if fl.hang {
		<-ctx.Done()
		return backend.NewError(op, key, backend.NetworkKind(ctx.Err()), ctx.Err())
	}
	return backend.NewError(op, key, fl.kind, scriptedErr(fl.kind))
}

func (f *fakeEndpoint) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	fl := f.take(call{op: "put", key: key})
	if fl == nil {
		return f.store.Put(ctx, key, r, opts)
	}
	switch {
	case fl.apply:
		if _, err := f.store.Put(ctx, key, r, opts); err != nil {
			return backend.ObjectInfo{}, err
		}
	case fl.readN < 0:
		if _, err := io.Copy(io.Discard, r); err != nil {
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
		}
	case fl.readN > 0:
		if _, err := io.CopyN(io.Discard, r, fl.readN); err != nil {
			return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
		}
	}
	return backend.ObjectInfo{}, fl.fail(ctx, "put", key)
}

func (f *fakeEndpoint) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	fl := f.take(call{op: "get", key: key, offset: opts.Offset, length: opts.Length})
	if fl != nil && !fl.body {
		return nil, backend.ObjectInfo{}, fl.fail(ctx, "get", key)
	}
	rc, info, err := f.store.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	// Like an HTTP body, the body dies with the request's context.
	rc = &ctxBody{ctx: ctx, key: key, r: rc}
	if fl == nil {
		return rc, info, nil
	}
	return &faultBody{ctx: ctx, r: rc, left: fl.at, fl: fl, key: key}, info, nil
}

type ctxBody struct {
	ctx context.Context
	key string
	r   io.ReadCloser
}

func (b *ctxBody) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, backend.NewError("get", b.key, backend.NetworkKind(err), err)
	}
	return b.r.Read(p)
}

func (b *ctxBody) Close() error { return b.r.Close() }

// faultBody delivers left bytes, then breaks as its fault says.
type faultBody struct {
	ctx  context.Context
	r    io.ReadCloser
	left int64
	fl   *fault
	key  string
}

func (b *faultBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		if b.fl.hook != nil {
			b.fl.hook()
			b.fl.hook = nil
		}
		if b.fl.eof {
			return 0, io.EOF
		}
		return 0, b.fl.fail(b.ctx, "get", b.key)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *faultBody) Close() error { return b.r.Close() }

func (f *fakeEndpoint) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if fl := f.take(call{op: "stat", key: key}); fl != nil {
		return backend.ObjectInfo{}, fl.fail(ctx, "stat", key)
	}
	return f.store.Stat(ctx, key)
}

func (f *fakeEndpoint) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if fl := f.take(call{op: "list", key: opts.Prefix}); fl != nil {
		return backend.ListPage{}, fl.fail(ctx, "list", opts.Prefix)
	}
	return f.store.List(ctx, opts)
}

func (f *fakeEndpoint) Remove(ctx context.Context, key string) error {
	fl := f.take(call{op: "remove", key: key})
	if fl == nil {
		return f.store.Remove(ctx, key)
	}
	if fl.apply {
		if err := f.store.Remove(ctx, key); err != nil {
			return err
		}
	}
	return fl.fail(ctx, "remove", key)
}

func (f *fakeEndpoint) RemoveMany(ctx context.Context, keys []string) error {
	fl := f.take(call{op: "removemany"})
	if fl == nil {
		return f.store.RemoveMany(ctx, keys)
	}
	return fl.fail(ctx, "remove", "")
}

func (f *fakeEndpoint) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if fl := f.take(call{op: "health"}); fl != nil {
		err := fl.fail(ctx, "health", "")
		return []backend.EndpointHealth{{Endpoint: f.name, Err: err}}, nil
	}
	return []backend.EndpointHealth{{Endpoint: f.name, Live: true, Ready: true, Latency: time.Microsecond}}, nil
}

func (f *fakeEndpoint) Presign(ctx context.Context, method, key string, expiry time.Duration, opts backend.PresignOptions) (string, error) {
	if fl := f.take(call{op: "presign", key: key}); fl != nil {
		return "", fl.fail(ctx, backend.PresignOp(method), key)
	}
	return fmt.Sprintf("http://%s/%s?%s&expiry=%v", f.name, key, strings.ToLower(method), expiry), nil
}

func (f *fakeEndpoint) SetExpiry(ctx context.Context, prefix string, days int) error {
	if fl := f.take(call{op: "lifecycle", key: prefix}); fl != nil {
		return fl.fail(ctx, "set-expiry", prefix)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.expiry == nil {
		f.expiry = map[string]int{}
	}
	f.expiry[prefix] = days
	return nil
}

func (f *fakeEndpoint) Expiry(ctx context.Context) (map[string]int, error) {
	if fl := f.take(call{op: "lifecycle"}); fl != nil {
		return nil, fl.fail(ctx, "expiry", "")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.expiry {
		out[k] = v
	}
	return out, nil
}

func (f *fakeEndpoint) Close() error {
	f.closed.Store(true)
	return f.store.Close()
}

// plain hides every capability of a backend but the Backend methods.
type plain struct{ backend.Backend }

// fakeCluster is a set of fake endpoints over one store, with a resolver
// whose answer tests can change, and counters of Resolve and Open calls.
type fakeCluster struct {
	store string

	mu        sync.Mutex
	eps       map[string]*fakeEndpoint
	addrs     []string
	resolves  int
	opens     map[string]int
	openFault map[string]error // Open of that endpoint fails with this
	plain     bool             // endpoint backends without capabilities
}

var storeSeq atomic.Int64

func newFakeCluster(t *testing.T, names ...string) *fakeCluster {
	c := &fakeCluster{
		store:     fmt.Sprintf("failover-%s-%d", t.Name(), storeSeq.Add(1)),
		eps:       map[string]*fakeEndpoint{},
		opens:     map[string]int{},
		openFault: map[string]error{},
	}
	c.setAddrs(names...)
	return c
}

// ep returns the fake of an endpoint, creating it.
func (c *fakeCluster) ep(name string) *fakeEndpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epLocked(name)
}

func (c *fakeCluster) epLocked(name string) *fakeEndpoint {
	f, ok := c.eps[name]
	if !ok {
		f = &fakeEndpoint{name: name, store: mem.Named(c.store)}
		c.eps[name] = f
	}
	return f
}

// direct is a handle on the shared store, bypassing every fault.
func (c *fakeCluster) direct() *mem.Backend { return mem.Named(c.store) }

func (c *fakeCluster) setAddrs(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addrs = append([]string(nil), names...)
	for _, n := range names {
		c.epLocked(n)
	}
}

func (c *fakeCluster) resolveCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resolves
}

func (c *fakeCluster) openCount(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opens[name]
}

// config returns a Config over the cluster with test-sized timings: tiny
// backoffs, one-second timeouts, and a re-prober that waits an hour (tests
// of re-probing shorten it).
func (c *fakeCluster) config() Config {
	return Config{
		Resolve: func(ctx context.Context) ([]string, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.resolves++
			return append([]string(nil), c.addrs...), nil
		},
		Open: func(ctx context.Context, endpoint string) (backend.Backend, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if err := c.openFault[endpoint]; err != nil {
				return nil, err
			}
			c.opens[endpoint]++
			f := c.epLocked(endpoint)
			if c.plain {
				return plain{f}, nil
			}
			return f, nil
		},
		MaxAttempts:    5,
		MaxElapsed:     10 * time.Second,
		AttemptTimeout: time.Second,
		StallTimeout:   time.Second,
		BaseDelay:      time.Millisecond,
		MaxDelay:       5 * time.Millisecond,
		ReprobeMin:     time.Hour,
		ReprobeMax:     time.Hour,
	}
}

// recorder keeps the attempt events of the calls whose context has one
// of its hooks (hook, ctx, watch).
type recorder struct {
	mu        sync.Mutex
	retries   []string // "op key endpoint attempt"
	failovers []string // "op from->to"
	states    []string // "endpoint up|down"
	resolves  []string // "error" or the endpoints
	tags      []string // "retry|failover op TAG": the tag of the hook that got each event
}

// hook returns a hook that records the events of a call, tagged tag.
func (r *recorder) hook(tag string) backend.AttemptHook {
	return func(ev backend.AttemptEvent) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch ev.Kind {
		case backend.AttemptRetry:
			r.retries = append(r.retries, fmt.Sprintf("%s %s %s %d", ev.Op, ev.Key, ev.Endpoint, ev.Attempt))
		case backend.AttemptFailover:
			r.failovers = append(r.failovers, fmt.Sprintf("%s %s->%s", ev.Op, ev.Endpoint, ev.To))
		case backend.AttemptEndpointDown:
			r.states = append(r.states, ev.Endpoint+" down")
		case backend.AttemptEndpointUp:
			r.states = append(r.states, ev.Endpoint+" up")
		case backend.AttemptResolve:
			if ev.Err != nil {
				r.resolves = append(r.resolves, "error: "+ev.Err.Error())
			} else {
				r.resolves = append(r.resolves, ev.Endpoint)
			}
		}
		if ev.Kind == backend.AttemptRetry || ev.Kind == backend.AttemptFailover {
			r.tags = append(r.tags, fmt.Sprintf("%s %s %s", ev.Kind, ev.Op, tag))
		}
	}
}

// ctx returns ctx with an untagged hook of r.
func (r *recorder) ctx(ctx context.Context) context.Context {
	return backend.WithAttemptHook(ctx, r.hook("-"))
}

// watch returns b with a hook of r in the context of every call, as a
// wrapper above it (metrics, tracing, logging) adds its own.
func (r *recorder) watch(b *Backend) observed { return observed{b, r} }

// observed is b whose calls carry the hook of rec.
type observed struct {
	*Backend
	rec *recorder
}

func (o observed) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	return o.Backend.Put(o.rec.ctx(ctx), key, r, opts)
}

func (o observed) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return o.Backend.Get(o.rec.ctx(ctx), key, opts)
}

func (o observed) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	return o.Backend.Stat(o.rec.ctx(ctx), key)
}

func (o observed) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return o.Backend.List(o.rec.ctx(ctx), opts)
}

func (o observed) Remove(ctx context.Context, key string) error {
	return o.Backend.Remove(o.rec.ctx(ctx), key)
}

func (o observed) RemoveMany(ctx context.Context, keys []string) error {
	return o.Backend.RemoveMany(o.rec.ctx(ctx), keys)
}

func (o observed) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	return o.Backend.Health(o.rec.ctx(ctx))
}

// resolved returns the resolve events so far.
func (r *recorder) resolved() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.resolves...)
}

// contextTags returns the tags of the events so far.
func (r *recorder) contextTags() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tags...)
}

func (r *recorder) snapshot() (retries, failovers, states []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.retries...), append([]string(nil), r.failovers...), append([]string(nil), r.states...)
}
