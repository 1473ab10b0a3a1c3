package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance"
)

// The load checks must catch the defects they are written against. Each
// defect below is one a real driver can have (several were found in real
// drivers and servers while the checks were written: see
// docs/reliability.md); the checks run through Check on mem with the
// defect, and must fail, with a message. TestHealthyDriverPasses
// (defect_test.go) is the control: without a defect they pass.

// fdHolder keeps files open on behalf of a defect, as a driver's handle
// table or connection pool would (reachable, so that no finalizer closes
// them), until the check's cleanup.
type fdHolder struct {
	mu    sync.Mutex
	files []*os.File
}

func (h *fdHolder) open(t testing.TB) *os.File {
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	h.mu.Lock()
	h.files = append(h.files, f)
	h.mu.Unlock()
	return f
}

func (h *fdHolder) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.files {
		f.Close()
	}
	h.files = nil
}

// loadDefect is a defect of mem and the load checks that must catch it.
type loadDefect struct {
	name  string
	catch []string
	apply func(t *testing.T, b *broken, files *fdHolder)
	// want is a part of the failure message that says what was found;
	// " | " separates alternatives.
	want string
}

var loadDefects = []loadDefect{
	{name: "a Get that keeps its file open until the reader reaches the end", catch: []string{"load-get-abandoned"},
		want: "open files", apply: func(t *testing.T, b *broken, files *fdHolder) {
			b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
				rc, info, err := b.Backend.Get(ctx, key, opts)
				if err != nil {
					return rc, info, err
				}
				return &eofCloser{ReadCloser: rc, f: files.open(t)}, info, nil
			}
		}},
	{name: "a Get that forgets its file (a finalizer closes it later)", catch: []string{"load-get-abandoned"},
		want: "held up to", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
				rc, info, err := b.Backend.Get(ctx, key, opts)
				if err == nil {
					f, ferr := os.Open(os.DevNull)
					require.NoError(t, ferr)
					_ = f // dropped unclosed: only the garbage collector closes it
				}
				return rc, info, err
			}
		}},
	{name: "a Get whose body goroutine waits for a reader that closed early", catch: []string{"load-get-abandoned"},
		want: "goroutines by where they wait", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.get = pipedGet(b)
		}},
	{name: "a Put that leaves a goroutine behind", catch: []string{"load-mixed"},
		want: "goroutines by where they wait", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				go func() { <-b.stop }() // an upload watchdog nobody stops
				return b.Backend.Put(ctx, key, r, opts)
			}
		}},
	{name: "a Put that keeps a file open per object", catch: []string{"load-mixed"},
		want: "/dev/*", apply: func(t *testing.T, b *broken, files *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				files.open(t)
				return b.Backend.Put(ctx, key, r, opts)
			}
		}},
	{name: "a pool of connections that Close does not close", catch: []string{"load-mixed"},
		want: "after 1000 operations and Close, the process holds more than before them", apply: func(t *testing.T, b *broken, files *fdHolder) {
			// Like an HTTP transport: one idle "connection" per caller
			// that was in flight at once, reused, and never closed by
			// Close: the GCS driver's defect (docs/reliability.md).
			var mu sync.Mutex
			var idle []*os.File
			take := func() {
				var f *os.File
				mu.Lock()
				if n := len(idle); n > 0 {
					f, idle = idle[n-1], idle[:n-1]
				}
				mu.Unlock()
				if f == nil {
					f = files.open(t)
				}
				time.Sleep(time.Millisecond) // a request in flight
				mu.Lock()
				idle = append(idle, f)
				mu.Unlock()
			}
			b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
				take()
				return b.Backend.Stat(ctx, key)
			}
			b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
				take()
				return b.Backend.Get(ctx, key, opts)
			}
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				take()
				return b.Backend.Put(ctx, key, r, opts)
			}
		}},
	{name: "an overwrite that shows a partial object", catch: []string{"load-mixed"},
		// A get, a stat or a listing may see the partial version first,
		// whichever the scheduling lets run in the window.
		want: "partial object or a mix | which no put of", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				data, err := io.ReadAll(r)
				if err != nil {
					return backend.ObjectInfo{}, err
				}
				if _, err := b.Backend.Put(ctx, key, bytes.NewReader(data[:len(data)*2/3]), backend.PutOptions{Size: -1}); err != nil {
					return backend.ObjectInfo{}, err
				}
				time.Sleep(time.Millisecond)
				return b.Backend.Put(ctx, key, bytes.NewReader(data), opts)
			}
		}},
	{name: "keys confused by a cache", catch: []string{"load-mixed"},
		want: "like no version of this key", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			var n atomic.Int64
			b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
				if strings.HasPrefix(key, "mixed/k") && n.Add(1)%5 == 0 {
					// The neighbouring key: k00 <-> k01, k02 <-> k03, ...
					last := key[len(key)-1] ^ 1
					other := key[:len(key)-1] + string(last)
					rc, info, err := b.Backend.Get(ctx, other, opts)
					if err == nil {
						info.Key = key
					}
					return rc, info, err
				}
				return b.Backend.Get(ctx, key, opts)
			}
		}},
	{name: "a List that shows the temp object of a put in flight", catch: []string{"load-mixed"},
		want: "a key that was never put", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			// versitygw's defect (docs/reliability.md).
			var n atomic.Int64
			b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
				p, err := b.Backend.List(ctx, opts)
				if err == nil && opts.Prefix == "mixed/" && opts.Token == "" && n.Add(1)%3 == 0 {
					tmp := backend.ObjectInfo{Key: "mixed/.k05.tmp.1795546594615186345", Size: 4096}
					p.Objects = append([]backend.ObjectInfo{tmp}, p.Objects...)
				}
				return p, err
			}
		}},
	{name: "a List that prefetches the whole listing and keeps it", catch: []string{"load-list-early-stop"},
		want: "the listing is kept in memory", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			var mu sync.Mutex
			cache := map[string][]backend.ObjectInfo{} // prefix -> the whole listing
			b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
				mu.Lock()
				defer mu.Unlock()
				all, ok := cache[opts.Prefix]
				if !ok {
					inner := backend.ListOptions{Prefix: opts.Prefix}
					for {
						p, err := b.Backend.List(ctx, inner)
						if err != nil {
							return p, err
						}
						all = append(all, p.Objects...)
						if p.NextToken == "" {
							break
						}
						inner.Token = p.NextToken
					}
					cache[opts.Prefix] = all
				}
				// Serve the page from the cache.
				i := 0
				for i < len(all) && all[i].Key <= opts.Token {
					i++
				}
				size := opts.PageSize
				if size <= 0 || size > backend.DefaultPageSize {
					size = backend.DefaultPageSize
				}
				var page backend.ListPage
				page.Objects = append(page.Objects, all[i:min(i+size, len(all))]...)
				if i+size < len(all) {
					page.NextToken = page.Objects[len(page.Objects)-1].Key
				}
				return page, nil
			}
		}},
	{name: "a List that keeps a copy of every page it served", catch: []string{"load-list-early-stop"},
		want: "the live heap", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			var mu sync.Mutex
			var served [][]backend.ObjectInfo // an unbounded "recent pages" cache
			b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
				p, err := b.Backend.List(ctx, opts)
				if err == nil {
					cp := make([]backend.ObjectInfo, len(p.Objects))
					for i, o := range p.Objects {
						o.Key = strings.Clone(o.Key)
						o.ETag = strings.Clone(o.ETag)
						cp[i] = o
					}
					mu.Lock()
					served = append(served, cp)
					mu.Unlock()
				}
				return p, err
			}
		}},
	{name: "a List that leaves a prefetch goroutine per page", catch: []string{"load-list-early-stop"},
		want: "goroutines by where they wait", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
				go func() { <-b.stop }()
				return b.Backend.List(ctx, opts)
			}
		}},
	{name: "an aborted Put that leaves its upload goroutine running", catch: []string{"load-put-aborted"},
		want: "goroutines by where they wait", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				info, err := b.Backend.Put(ctx, key, r, opts)
				if err != nil {
					go func() { <-b.stop }() // the sender of the parts, never told to stop
				}
				return info, err
			}
		}},
	{name: "an aborted Put that keeps its temp file open", catch: []string{"load-put-aborted"},
		want: "/dev/*", apply: func(t *testing.T, b *broken, files *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				info, err := b.Backend.Put(ctx, key, r, opts)
				if err != nil {
					files.open(t)
				}
				return info, err
			}
		}},
	{name: "an aborted Put that stores what it read", catch: []string{"load-put-aborted"},
		want: "after 104 puts aborted midway", apply: func(t *testing.T, b *broken, _ *fdHolder) {
			b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
				data, rerr := io.ReadAll(r)
				if rerr == nil {
					return b.Backend.Put(ctx, key, bytes.NewReader(data), opts)
				}
				_, _ = b.Backend.Put(context.Background(), key, bytes.NewReader(data), backend.PutOptions{Size: -1})
				return backend.ObjectInfo{}, backend.NewError("put", key, nil, rerr)
			}
		}},
}

// eofCloser closes f only when the reader reaches its end, never on an
// early Close: the file of a reader closed early stays open.
type eofCloser struct {
	io.ReadCloser
	f *os.File
}

func (e *eofCloser) Read(p []byte) (int, error) {
	n, err := e.ReadCloser.Read(p)
	if err == io.EOF {
		e.f.Close()
	}
	return n, err
}

func TestLoadChecksCatchTheirDefects(t *testing.T) {
	// The leaks here are certain; a short wait keeps the test quick.
	conformance.SetLeakWait(t, 500*time.Millisecond)
	for _, d := range loadDefects {
		t.Run(d.name, func(t *testing.T) {
			files := &fdHolder{}
			t.Cleanup(files.closeAll)
			results := conformance.Check(t.Context(), newBroken(func(b *broken) { d.apply(t, b, files) }),
				conformance.Only(d.catch...), conformance.Short())
			require.Len(t, results, len(d.catch))
			for _, r := range results {
				assert.True(t, r.Failed(), "check %s passed a driver with the defect %q:\n%s", r.Name, d.name, r.Message)
				assert.True(t, slices.ContainsFunc(strings.Split(d.want, " | "), func(w string) bool { return strings.Contains(r.Message, w) }),
					"check %s failed for another reason than the defect %q (want %q):\n%s", r.Name, d.name, d.want, r.Message)
				t.Logf("%s\n%s", r, indent(r.Message))
			}
		})
	}
}

// countingGets is mem that counts its Gets and can make each slow.
func countingGets(n *atomic.Int64, delay time.Duration) func(*broken) {
	return func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			n.Add(1)
			time.Sleep(delay)
			return b.Backend.Get(ctx, key, opts)
		}
	}
}

// getsOf runs load-get-abandoned with opts and returns its Result and the
// number of Gets it made.
func getsOf(t *testing.T, delay time.Duration, opts ...conformance.Option) (conformance.Result, int64) {
	t.Helper()
	var n atomic.Int64
	results := conformance.Check(t.Context(), newBroken(countingGets(&n, delay)),
		append(opts, conformance.Only("load-get-abandoned"))...)
	require.Len(t, results, 1)
	return results[0], n.Load()
}

// The counts: the defaults, Short, an explicit count, and the budget that
// cuts a slow store to the floor. Besides the counted Gets, the check
// makes 20 for a warm-up and one to check the object at the end.
func TestLoadSizes(t *testing.T) {
	const extra = 21
	noBudget := conformance.LoadConfig{Budget: -1}

	r, n := getsOf(t, 0, conformance.Load(noBudget))
	require.True(t, r.Passed, r.Message)
	assert.EqualValues(t, 10_000+extra, n, "the default")
	assert.Contains(t, r.Message, "10000 Gets closed before their end")

	r, n = getsOf(t, 0, conformance.Load(noBudget), conformance.Short())
	require.True(t, r.Passed, r.Message)
	assert.EqualValues(t, 2000+extra, n, "with Short")

	r, n = getsOf(t, 0, conformance.Load(conformance.LoadConfig{Gets: 1234}))
	require.True(t, r.Passed, r.Message)
	assert.EqualValues(t, 1234+extra, n, "an explicit count")

	// 1 ms a Get, 4 at a time: the first 1,000 take about 250 ms, so
	// 10,000 would take 2.5 s, over a budget of 1 s.
	r, n = getsOf(t, time.Millisecond, conformance.Load(conformance.LoadConfig{Budget: time.Second}))
	require.True(t, r.Passed, r.Message)
	assert.EqualValues(t, 1000+extra, n, "a slow store stops at the floor")
	assert.Contains(t, r.Message, "stopping at 1000")
	assert.Contains(t, r.Message, "conformance.LoadConfig{Budget: -1}", "the message says how to run them all")
}

// A store that slows down after the floor is stopped by the budget, with
// the Gets made so far counted in the message. The target is twice the
// floor, so that the floor's pace (fast) projects within the budget.
func TestLoadBudgetStopsASlowingStore(t *testing.T) {
	var n atomic.Int64
	slow := func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			if n.Add(1) > 1100 {
				time.Sleep(20 * time.Millisecond) // 4 workers: 200 a second
			}
			return b.Backend.Get(ctx, key, opts)
		}
	}
	start := time.Now()
	results := conformance.Check(t.Context(), newBroken(slow), conformance.Only("load-get-abandoned"),
		conformance.Load(conformance.LoadConfig{Gets: 2000, Budget: 3 * time.Second}))
	require.Len(t, results, 1)
	r := results[0]
	require.True(t, r.Passed, r.Message)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Less(t, n.Load(), int64(2000), "the budget cut the Gets")
	assert.Contains(t, r.Message, "the budget of 3s was spent after")
	got := fmt.Sprintf("%d Gets closed before their end", n.Load()-21)
	assert.Contains(t, r.Message, got, "the message counts the Gets made")
}
