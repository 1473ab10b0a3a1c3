// Package observetest has the backends that the tests of the observability
// wrappers (backend/metrics, backend/tracing, backend/logging) share: one
// with every optional capability, one whose Get bodies break, one that
// reports attempt events as a retry layer does, and a failover backend
// with one endpoint that is down.
package observetest

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/mem"
)

// PresignSecret is the signature in Full's presigned URLs: a wrapper must
// never record it.
const PresignSecret = "s3cr3t"

// Full is a backend over mem with every optional capability (mem's own
// Copy and RemoveMany, and the others below), so that a test can see each
// one instrumented.
type Full struct {
	*mem.Backend
	mu     sync.Mutex
	expiry map[string]int
}

var (
	_ backend.BatchRemover  = (*Full)(nil)
	_ backend.HealthChecker = (*Full)(nil)
	_ backend.Presigner     = (*Full)(nil)
	_ backend.Lifecycler    = (*Full)(nil)
	_ backend.Copier        = (*Full)(nil)
	_ backend.Composer      = (*Full)(nil)
)

// NewFull returns an empty Full.
func NewFull() *Full { return &Full{Backend: mem.New(), expiry: map[string]int{}} }

// Health reports one endpoint, "mem", live and ready.
func (f *Full) Health(context.Context) ([]backend.EndpointHealth, error) {
	return []backend.EndpointHealth{{Endpoint: "mem", Live: true, Ready: true}}, nil
}

// Presign returns a URL signed with PresignSecret. It checks nothing but,
// for a PUT, the key, so that a test can make it fail with ErrInvalidKey.
func (f *Full) Presign(_ context.Context, method, key string, _ time.Duration, _ backend.PresignOptions) (string, error) {
	if method == http.MethodPut {
		if err := backend.ValidateKey(backend.PresignOp(method), key); err != nil {
			return "", err
		}
	}
	return "https://store.example/" + key + "?X-Amz-Signature=" + PresignSecret, nil
}

// SetExpiry records the rule.
func (f *Full) SetExpiry(_ context.Context, prefix string, days int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiry[prefix] = days
	return nil
}

// Expiry returns a copy of the rules.
func (f *Full) Expiry(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.expiry), nil
}

// Compose stores the concatenation of srcs under dst, through the
// client (a Get of each source, one Put).
func (f *Full) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	rs := make([]io.Reader, 0, len(srcs))
	for _, s := range srcs {
		rc, _, err := f.Get(ctx, s.Key, backend.WholeObject)
		if err != nil {
			return backend.ObjectInfo{}, err
		}
		defer rc.Close()
		rs = append(rs, rc)
	}
	return f.Put(ctx, dst, io.MultiReader(rs...), backend.PutOptions{
		Size: -1, ContentType: opts.ContentType, Metadata: opts.Metadata, HTTPAttributes: opts.HTTPAttributes,
	})
}

// Breaking is a backend over mem whose Get readers fail with Err after
// delivering the object's first two bytes.
type Breaking struct {
	*mem.Backend
	Err error
}

// Get returns a reader that breaks after two bytes.
func (b Breaking) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := b.Backend.Get(ctx, key, opts)
	if err != nil {
		return rc, info, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(rc, 2), errReader{b.Err}), rc}, info, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Down is an endpoint backend over mem that cannot be reached: every
// operation fails with ErrUnavailable ("connection refused").
type Down struct{ *mem.Backend }

func unreachable(op, key string) error {
	return backend.NewError(op, key, backend.ErrUnavailable, errors.New("connection refused"))
}

// Put fails with ErrUnavailable.
func (Down) Put(_ context.Context, key string, _ io.Reader, _ backend.PutOptions) (backend.ObjectInfo, error) {
	return backend.ObjectInfo{}, unreachable("put", key)
}

// Get fails with ErrUnavailable.
func (Down) Get(_ context.Context, key string, _ backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return nil, backend.ObjectInfo{}, unreachable("get", key)
}

// Stat fails with ErrUnavailable.
func (Down) Stat(_ context.Context, key string) (backend.ObjectInfo, error) {
	return backend.ObjectInfo{}, unreachable("stat", key)
}

// List fails with ErrUnavailable.
func (Down) List(_ context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	return backend.ListPage{}, unreachable("list", opts.Prefix)
}

// Remove fails with ErrUnavailable.
func (Down) Remove(_ context.Context, key string) error { return unreachable("remove", key) }

// RemoveMany fails with ErrUnavailable.
func (Down) RemoveMany(context.Context, []string) error { return unreachable("remove", "") }

// Copy fails with ErrUnavailable.
func (Down) Copy(_ context.Context, dst, _ string, _ backend.CopyOptions) (backend.ObjectInfo, error) {
	return backend.ObjectInfo{}, unreachable("copy", dst)
}

// The endpoints of Failover.
const (
	DeadEndpoint = "dead:1"
	LiveEndpoint = "live:2"
)

// Failover returns a failover backend over two endpoints: DeadEndpoint,
// a Down, and LiveEndpoint, a mem store. Requests go round robin, so one
// of the first two operations is sent to the dead endpoint, fails, is
// retried and fails over to the live one; the wrappers above hear of it
// through the attempt hooks they add to the context of each call, with no
// configuration of the failover layer. Backoffs are a millisecond or two,
// and the dead endpoint is not probed again during a test. The caller
// closes the backend.
func Failover(ctx context.Context) (*failover.Backend, error) {
	return failover.New(ctx, failover.Config{
		Resolve: func(context.Context) ([]string, error) { return []string{DeadEndpoint, LiveEndpoint}, nil },
		Open: func(_ context.Context, ep string) (backend.Backend, error) {
			if ep == DeadEndpoint {
				return Down{mem.New()}, nil
			}
			return mem.New(), nil
		},
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		ReprobeMin: time.Hour, ReprobeMax: time.Hour,
	})
}

// Reporting is a backend over mem whose Stat reports Events to the
// attempt hooks of its context (backend.ReportAttempt) before it answers,
// as a retry layer below a wrapper does.
type Reporting struct {
	*mem.Backend
	Events []backend.AttemptEvent
}

// Stat reports the Events, then answers from mem.
func (r Reporting) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	for _, ev := range r.Events {
		backend.ReportAttempt(ctx, ev)
	}
	return r.Backend.Stat(ctx, key)
}
