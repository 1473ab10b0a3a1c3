package conformance

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/leakcheck"
)

// The load checks run many operations and then count what the process
// holds: goroutines, open files and sockets (internal/leakcheck) and, for
// listings, the live heap. One thing left behind per operation grows far
// past the small slack they allow, which idle keep-alive connections and
// lazily started helpers stay within.
//
// Their counts are sized by LoadConfig. A store too slow for the full
// counts within the budget (a server behind HTTP, under the race
// detector) gets the floors instead, projected from the time the floors
// took: the checks still prove "nothing grows per operation", on fewer
// operations, and say so in their log.

// LoadConfig sizes the load checks. Zero fields mean the defaults.
type LoadConfig struct {
	// Ops is the number of operations of "load-mixed" (default 1,000),
	// run by Workers goroutines at once (default 32). They are never cut.
	Ops, Workers int
	// Gets is the number of Gets that "load-get-abandoned" closes before
	// their end (default 10,000; 2,000 with Short).
	Gets int
	// ListKeys is the number of keys "load-list-early-stop" stores and
	// then lists partway (default 100,000; 10,000 with Short).
	ListKeys int
	// Budget is the time the Gets, or the puts of the listing's keys, may
	// take (default 5s). When the first 1,000 of them took so long that
	// all of them would not fit, the check stops at 1,000; otherwise it
	// goes on until all are done or the budget is spent. A negative
	// Budget never cuts: every count runs in full.
	Budget time.Duration
}

// Load sizes the load checks; see LoadConfig. With Load(LoadConfig{Budget:
// -1}) a slow store gets the full counts too, e.g. the 100,000-key listing
// on a network store, at the cost of minutes.
func Load(l LoadConfig) Option { return func(c *config) { c.load = l } }

// The defaults and floors of LoadConfig.
const (
	defaultOps          = 1000
	defaultWorkers      = 32
	defaultGets         = 10_000
	defaultGetsShort    = 2000
	defaultListKeys     = 100_000
	defaultListKeyShort = 10_000
	defaultBudget       = 5 * time.Second
	getsFloor           = 1000 // Gets below which no budget cuts
	listFloor           = 1000 // ListKeys below which no budget cuts
)

// resolve fills in the defaults.
func (l LoadConfig) resolve(short bool) LoadConfig {
	def := func(v *int, full, shortV int) {
		if *v <= 0 {
			*v = full
			if short {
				*v = shortV
			}
		}
	}
	def(&l.Ops, defaultOps, defaultOps)
	def(&l.Workers, defaultWorkers, defaultWorkers)
	def(&l.Gets, defaultGets, defaultGetsShort)
	def(&l.ListKeys, defaultListKeys, defaultListKeyShort)
	if l.Budget == 0 {
		l.Budget = defaultBudget
	}
	return l
}

// bind returns ch ready to run: a check sized by LoadConfig gets the
// configured sizes; any other check is returned as it is.
func (c *config) bind(ch check, short bool) check {
	if ch.sized != nil {
		l, sized := c.load.resolve(c.short || short), ch.sized
		ch.fn = func(t T, b backend.Backend) { sized(t, b, l) }
	}
	return ch
}

// runQuota calls do(0), do(1), ... from workers goroutines: first the
// floor of them; then, if all target calls would fit in the budget (as
// projected from the time the floor took), the rest, until target calls
// were made or the budget is spent. It stops early when stop reports
// true, and returns how many calls it made: the calls are numbered
// without gaps.
func runQuota(t T, what string, workers, floor, target int, budget time.Duration, stop func() bool, do func(i int)) int {
	var next atomic.Int64
	run := func(upTo int, deadline time.Time) {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for !stop() && (deadline.IsZero() || time.Now().Before(deadline)) {
					i := next.Add(1) - 1
					if i >= int64(upTo) {
						next.Add(-1)
						return
					}
					do(int(i))
				}
			})
		}
		wg.Wait()
	}
	start := time.Now()
	floor = min(floor, target)
	run(floor, time.Time{})
	switch took := time.Since(start); {
	case budget < 0 || target == floor:
		run(target, time.Time{})
	case time.Duration(float64(took)*float64(target)/float64(floor)) > budget:
		t.Logf("%s: the first %d took %s, so %d would take about %s, over the budget of %s: stopping at %d "+
			"(conformance.Load(conformance.LoadConfig{Budget: -1}) runs them all)",
			what, floor, took.Round(time.Millisecond), target,
			time.Duration(float64(took)*float64(target)/float64(floor)).Round(time.Second), budget, floor)
	default:
		run(target, start.Add(budget))
		if n := next.Load(); n < int64(target) && !stop() {
			t.Logf("%s: the budget of %s was spent after %d of %d", what, budget, n, target)
		}
	}
	return int(next.Load())
}

// Slack for the process after the load: a driver may keep a few idle
// connections (a socket and two goroutines each in net/http) and start a
// few helpers lazily; a leak of one per operation is hundreds.
var (
	// closedSlack applies once the backend is closed: nothing of it
	// should remain but what a shared transport keeps.
	closedSlack = leakcheck.Slack{Goroutines: 6, FDs: 3}
)

// loadWait is how long the counts get to come back after a load (closing
// connections, ending goroutines): twice what the leak checks allow.
func loadWait() time.Duration { return 2 * leakWait }

// openSlack is the slack while the backend is open after workers
// concurrent calls: up to two idle connections per worker are not a leak
// (a driver may hold one to a worker's last request while the pool keeps
// another it dialed when all were busy: GCS on fake-gcs-server measured
// 36 to 40 open files after 32 workers). A leak of one per operation is
// a thousand.
func openSlack(workers int) leakcheck.Slack {
	return leakcheck.Slack{Goroutines: 4*workers + 6, FDs: 2*workers + 6}
}

// settledBaseline waits for the goroutines and open files of the process
// to stop changing (connections of a warm-up closing, goroutines ending),
// up to a second, and returns the counts then.
func settledBaseline() leakcheck.Snapshot {
	runtime.GC()
	prev := leakcheck.Take()
	for range 20 {
		time.Sleep(50 * time.Millisecond)
		s := leakcheck.Take()
		if s.Goroutines == prev.Goroutines && s.FDs == prev.FDs {
			return s
		}
		prev = s
	}
	return prev
}

// sampler folds a Snapshot into a Peak every few milliseconds until
// stopped, so that a leak hidden later by a garbage collection (a
// finalizer closing a leaked file) is still seen at its height.
type sampler struct {
	mu   sync.Mutex
	peak leakcheck.Peak
	stop chan struct{}
	done chan struct{}
}

func startSampler() *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.peak.Sample()
	go func() {
		defer close(s.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				s.mu.Lock()
				s.peak.Sample()
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// halt stops the sampler and returns the peak counts.
func (s *sampler) halt() leakcheck.Peak {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak.Sample()
	return s.peak
}

// errorBudget stops a load after a few failures: one broken operation in
// a thousand is as telling as all of them, and far more readable.
type errorBudget struct {
	t     T
	n     atomic.Int32
	limit int32
}

func (e *errorBudget) errorf(format string, args ...any) {
	if e.n.Add(1) <= e.limit {
		e.t.Errorf(format, args...)
	}
}

func (e *errorBudget) exhausted() bool { return e.n.Load() >= e.limit }

// ---- load-mixed ----------------------------------------------------------

// mixedKeys is the key space of load-mixed: small, so that operations on
// the same key overlap all the time.
const mixedKeys = 16

// mixedHeader starts every version load-mixed writes: the key's index and
// the version number, from which the rest of the bytes follow. A Get that
// returns anything else than the whole of one version of its own key is
// caught.
const mixedHeader = 16

// mixedSize is the size of version v, 16 bytes to about 8 KiB, different
// for neighbouring versions, so that a version cut short or a size from
// another version shows.
func mixedSize(v uint64) int { return mixedHeader + int((v*7919)%(8<<10)) }

// mixedVersion returns the bytes of version v of key k.
func mixedVersion(k int, v uint64) []byte {
	n := mixedSize(v)
	data := payload(v<<8|uint64(k), n)
	binary.BigEndian.PutUint64(data[0:8], uint64(k))
	binary.BigEndian.PutUint64(data[8:16], v)
	return data
}

func mixedKey(k int) string { return fmt.Sprintf("mixed/k%02d", k) }

// mixedState records, per key, the sizes of every version whose Put has
// started: a Stat or a List may show any of them, and nothing else.
type mixedState struct {
	mu    sync.Mutex
	sizes [mixedKeys]map[int64]bool
	next  atomic.Uint64 // the last version number handed out
}

func (m *mixedState) newVersion(k int) (uint64, []byte) {
	v := m.next.Add(1)
	data := mixedVersion(k, v)
	m.mu.Lock()
	if m.sizes[k] == nil {
		m.sizes[k] = map[int64]bool{}
	}
	m.sizes[k][int64(len(data))] = true
	m.mu.Unlock()
	return v, data
}

func (m *mixedState) sizeWasPut(k int, size int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sizes[k][size]
}

// checkGot checks the bytes and info of a Get of key k: one whole version
// of that key.
func (m *mixedState) checkGot(k int, data []byte, info backend.ObjectInfo) error {
	key := mixedKey(k)
	if len(data) < mixedHeader {
		return fmt.Errorf("Get(%q) returned %s, shorter than any version put", key, describe(data))
	}
	gk, v := binary.BigEndian.Uint64(data[0:8]), binary.BigEndian.Uint64(data[8:16])
	if gk != uint64(k) || v == 0 || v > m.next.Load() {
		return fmt.Errorf("Get(%q) returned %d bytes that start like no version of this key (key index %d, version %d)", key, len(data), gk, v)
	}
	if want := mixedVersion(k, v); !bytes.Equal(data, want) {
		return fmt.Errorf("Get(%q) returned %d bytes of version %d, which has %d: a partial object or a mix of versions", key, len(data), v, len(want))
	}
	if info.Size != int64(len(data)) {
		return fmt.Errorf("Get(%q) returned version %d (%d bytes) with the info of a %d-byte object", key, v, len(data), info.Size)
	}
	if info.Key != key {
		return fmt.Errorf("Get(%q) returned the info of key %q", key, info.Key)
	}
	return nil
}

func checkLoadMixed(t T, b backend.Backend, l LoadConfig) {
	ctx := t.Context()
	m := &mixedState{}
	errs := &errorBudget{t: t, limit: 10}
	op := func(r *rand.Rand) {
		k := r.IntN(mixedKeys)
		key := mixedKey(k)
		switch p := r.IntN(100); {
		case p < 30:
			_, data := m.newVersion(k)
			info, err := b.Put(ctx, key, bytes.NewReader(data), sized(data))
			if err != nil {
				errs.errorf("Put(%q, %d bytes) under load: %v", key, len(data), err)
			} else if info.Size != int64(len(data)) {
				errs.errorf("Put(%q, %d bytes) under load returned size %d", key, len(data), info.Size)
			}
		case p < 60:
			rc, info, err := b.Get(ctx, key, backend.WholeObject)
			if errors.Is(err, backend.ErrNotFound) {
				return
			}
			if err != nil {
				errs.errorf("Get(%q) under load: %v", key, err)
				return
			}
			data, err := io.ReadAll(rc)
			if cerr := rc.Close(); cerr != nil {
				errs.errorf("closing the reader of %q after reading it whole, under load: %v", key, cerr)
			}
			if err != nil {
				errs.errorf("reading Get(%q) under load: %v", key, err)
				return
			}
			if err := m.checkGot(k, data, info); err != nil {
				errs.errorf("under load: %v", err)
			}
		case p < 75:
			info, err := b.Stat(ctx, key)
			switch {
			case errors.Is(err, backend.ErrNotFound):
			case err != nil:
				errs.errorf("Stat(%q) under load: %v", key, err)
			case info.Key != key || !m.sizeWasPut(k, info.Size):
				errs.errorf("Stat(%q) under load: key %q, size %d, which no put of this key had", key, info.Key, info.Size)
			}
		case p < 90:
			if err := m.listAll(ctx, b); err != nil {
				errs.errorf("under load: %v", err)
			}
		default:
			if err := b.Remove(ctx, key); err != nil {
				errs.errorf("Remove(%q) under load: %v", key, err)
			}
		}
	}

	// A warm-up of each kind of call, so that pools, connections and
	// helpers that a driver starts on first use are in the baseline.
	warm := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		op(warm)
	}
	if t.Failed() {
		return
	}
	base := settledBaseline()
	samples := startSampler()

	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range l.Workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 0x10ad))
			for next.Add(1) <= int64(l.Ops) && !errs.exhausted() {
				op(r)
			}
		})
	}
	wg.Wait()
	peak := samples.halt()
	t.Logf("%d operations by %d workers on %d keys; %d versions put; before: %s; peak: %s",
		l.Ops, l.Workers, mixedKeys, m.next.Load(), base, peak.Max)
	if t.Failed() {
		return
	}

	// Every key holds one whole version of its own, or nothing.
	for k := range mixedKeys {
		key := mixedKey(k)
		rc, info, err := b.Get(ctx, key, backend.WholeObject)
		if errors.Is(err, backend.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Errorf("Get(%q) after the load: %v", key, err)
			continue
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Errorf("reading %q after the load: %v", key, err)
		} else if err := m.checkGot(k, data, info); err != nil {
			t.Errorf("after the load: %v", err)
		}
	}
	if err := m.listAll(ctx, b); err != nil {
		t.Errorf("after the load: %v", err)
	}

	// Idle connections may remain while the backend is open; once it is
	// closed, the process must be back where it was before the load.
	if open, err := leakcheck.WaitBack(base, openSlack(l.Workers), loadWait()); err != nil {
		t.Errorf("after %d operations by %d workers, with the backend still open: %v", l.Ops, l.Workers, err)
	} else {
		t.Logf("after the load, backend open: %s", open)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close after the load: %v", err)
	}
	if _, err := leakcheck.WaitBack(base, closedSlack, loadWait()); err != nil {
		t.Errorf("after %d operations and Close, the process holds more than before them: %v", l.Ops, err)
	}
}

// listAll lists the key space of load-mixed in small pages and checks
// what every listing must be, also under concurrent puts and removes:
// keys in strictly increasing order, each of the key space and of a size
// that one of its puts had.
func (m *mixedState) listAll(ctx context.Context, b backend.Backend) error {
	opts := backend.ListOptions{Prefix: "mixed/", PageSize: 7}
	last := ""
	for pages := 0; ; pages++ {
		if pages > mixedKeys {
			return fmt.Errorf("List(mixed/, page size 7) of %d keys goes on past %d pages", mixedKeys, pages)
		}
		page, err := b.List(ctx, opts)
		if err != nil {
			return fmt.Errorf("List(mixed/, page size 7, token %q): %w", opts.Token, err)
		}
		if len(page.Objects) > opts.PageSize {
			return fmt.Errorf("List(mixed/, page size 7) returned %d objects", len(page.Objects))
		}
		for _, o := range page.Objects {
			var k int
			if _, err := fmt.Sscanf(o.Key, "mixed/k%02d", &k); err != nil || k < 0 || k >= mixedKeys || mixedKey(k) != o.Key {
				return fmt.Errorf("List(mixed/) returned %q, a key that was never put", o.Key)
			}
			if o.Key <= last {
				return fmt.Errorf("List(mixed/) returned %q after %q: not in increasing order", o.Key, last)
			}
			if !m.sizeWasPut(k, o.Size) {
				return fmt.Errorf("List(mixed/) says %q has %d bytes, which no put of it had", o.Key, o.Size)
			}
			last = o.Key
		}
		if page.NextToken == "" {
			return nil
		}
		opts.Token = page.NextToken
	}
}

// ---- load-get-abandoned ---------------------------------------------------

// getWorkers is how many Gets load-get-abandoned has in flight at once.
const getWorkers = 4

func checkLoadGetAbandoned(t T, b backend.Backend, l LoadConfig) {
	ctx := t.Context()
	// 64 KiB is far more than a transport reads ahead (net/http buffers
	// 4 KiB), so most of the body is still to come when the reader is
	// closed; and small enough that a store that copies the object on
	// every Get (mem) is quick.
	big := payload(0x9e7, 64<<10)
	small := payload(0x9e8, 3000)
	mustPut(t, b, "abandon/big", big, sized(big))
	mustPut(t, b, "abandon/small", small, sized(small))

	errs := &errorBudget{t: t, limit: 10}
	// get reads a few bytes of one of four kinds of Get and closes it.
	get := func(i int) {
		type variant struct {
			key  string
			data []byte
			opts backend.GetOptions
			read int
		}
		v := []variant{
			{"abandon/big", big, backend.WholeObject, 0},
			{"abandon/big", big, backend.WholeObject, 1},
			{"abandon/big", big, backend.GetOptions{Offset: 1000, Length: 32 << 10}, 10},
			{"abandon/small", small, backend.WholeObject, 100},
		}[i%4]
		rc, _, err := b.Get(ctx, v.key, v.opts)
		if err != nil {
			errs.errorf("Get(%q, offset %d, length %d), number %d: %v", v.key, v.opts.Offset, v.opts.Length, i, err)
			return
		}
		buf := make([]byte, v.read)
		if _, err := io.ReadFull(rc, buf); err != nil {
			errs.errorf("reading the first %d bytes of Get(%q, offset %d), number %d: %v", v.read, v.key, v.opts.Offset, i, err)
		} else if !bytes.Equal(buf, v.data[v.opts.Offset:v.opts.Offset+int64(v.read)]) {
			errs.errorf("the first %d bytes of Get(%q, offset %d) differ from those put", v.read, v.key, v.opts.Offset)
		}
		if err := rc.Close(); err != nil {
			errs.errorf("closing the reader of %q after %d bytes, number %d: %v", v.key, v.read, i, err)
		}
	}
	for i := range 20 {
		get(i)
	}
	if t.Failed() {
		return
	}

	base := settledBaseline()
	samples := startSampler()
	start := time.Now()
	n := runQuota(t, "Gets closed early", getWorkers, getsFloor, l.Gets, l.Budget, errs.exhausted, get)
	took := time.Since(start)
	peak := samples.halt()
	t.Logf("%d Gets closed before their end by %d workers in %s; before: %s; peak: %s",
		n, getWorkers, took.Round(time.Millisecond), base, peak.Max)
	if t.Failed() {
		return
	}
	// While the Gets run, each worker holds at most one open body; a file
	// or socket per Get left open shows at the peak, even when a garbage
	// collection closes it later.
	if limit := openSlack(getWorkers); peak.Max.FDs >= 0 && base.FDs >= 0 && peak.Max.FDs > base.FDs+limit.FDs+getWorkers {
		t.Errorf("while %d Gets were closed early, %d workers at a time, the process held up to %d open files, %d before (at most %d more expected): %s",
			n, getWorkers, peak.Max.FDs, base.FDs, limit.FDs+getWorkers, leakcheck.Diff(base, peak.Max))
	}
	if _, err := leakcheck.WaitBack(base, openSlack(getWorkers), loadWait()); err != nil {
		t.Errorf("after %d Gets closed before their end: %v", n, err)
	}
	wantContent(t, b, "abandon/big", big, "after many readers were closed early")
}

// ---- load-list-early-stop -------------------------------------------------

// heapSlack is how much the live heap may move for reasons of its own
// (buffers of a new connection, runtime structures) during a listing.
const heapSlack = 64 << 10

// listWorkers is how many puts fill the listing at once.
const listWorkers = 16

func checkLoadListEarlyStop(t T, b backend.Backend, l LoadConfig) {
	ctx := t.Context()
	n := fillListing(t, b, l)
	if t.Failed() {
		return
	}
	// Enough pages (40, or more of the default size) to see memory grow
	// with them; the consumer stops after half of them.
	pageSize := min(max(n/40, 25), backend.DefaultPageSize)
	pages := n / pageSize / 2
	for _, k := range []string{"warm/a", "warm/b", "warm/c"} {
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
	}
	warm := backend.ListOptions{Prefix: "warm/", PageSize: 2}
	for range 3 {
		if _, err := b.List(ctx, warm); err != nil {
			t.Fatalf("List(warm/): %v", err)
		}
	}

	base := settledBaseline()
	baseHeap, baseAlloc := liveHeap()
	opts := backend.ListOptions{Prefix: "list/", PageSize: pageSize}
	var peakHeap, pageBytes uint64
	sampleEvery := max(pages/10, 1)
	listStart := time.Now()
	for p := range pages {
		// A store whose every page costs a scan of the whole listing (a
		// test double such as gocloud's memblob) stops at the budget.
		if l.Budget >= 0 && p >= 10 && time.Since(listStart) > l.Budget {
			t.Logf("the budget of %s was spent after %d of %d pages", l.Budget, p, pages)
			pages = p
			break
		}
		page, err := b.List(ctx, opts)
		if err != nil {
			t.Fatalf("List(list/, page size %d), page %d of a listing of %d keys: %v", pageSize, p, n, err)
		}
		if len(page.Objects) != pageSize || page.NextToken == "" {
			t.Fatalf("List(list/, page size %d), page %d of %d keys: %d objects, token %q", pageSize, p, n, len(page.Objects), page.NextToken)
		}
		for i, o := range page.Objects {
			if want := listKey(p*pageSize + i); o.Key != want {
				t.Fatalf("List(list/, page size %d), page %d, object %d: %q, want %q", pageSize, p, i, o.Key, want)
			}
		}
		pageBytes = max(pageBytes, pageSizeOf(page))
		if p%sampleEvery == 0 || p == pages-1 {
			h, _ := liveHeap()
			peakHeap = max(peakHeap, h)
		}
		runtime.KeepAlive(page)
		opts.Token = page.NextToken
	}
	endHeap, endAlloc := liveHeap()
	allocPerPage := (endAlloc - baseAlloc) / uint64(max(pages, 1))
	t.Logf("listing %d keys in pages of %d, stopped after %d pages: live heap %d KiB before, up to %d KiB while a page was held (a page is about %d KiB), %d KiB after; %d KiB allocated per page",
		n, pageSize, pages, baseHeap>>10, peakHeap>>10, pageBytes>>10, endHeap>>10, allocPerPage>>10)
	// The consumer holds one page at a time: the heap may hold it, the
	// driver's buffers for the next and some slack, never the listing.
	if limit := baseHeap + 3*pageBytes + heapSlack; peakHeap > limit {
		t.Errorf("while %d of %d pages of a listing of %d keys were read one at a time, the live heap grew from %d KiB to %d KiB, more than 3 pages of about %d KiB and %d KiB of slack: the listing is kept in memory?",
			pages, n/pageSize, n, baseHeap>>10, peakHeap>>10, pageBytes>>10, heapSlack>>10)
	}
	if endHeap > baseHeap+heapSlack {
		t.Errorf("after a consumer stopped a listing of %d keys after %d pages, the live heap stays at %d KiB, %d KiB before: what was listed is still referenced",
			n, pages, endHeap>>10, baseHeap>>10)
	}
	if _, err := leakcheck.WaitBack(base, openSlack(1), loadWait()); err != nil {
		t.Errorf("after a listing of %d keys was stopped after %d pages: %v", n, pages, err)
	}
}

func listKey(i int) string { return fmt.Sprintf("list/%07d", i) }

// fillListing stores the empty objects list/0000000, list/0000001, ...
// and returns how many: l.ListKeys, or the floor when the store is too
// slow for that many within the budget.
func fillListing(t T, b backend.Backend, l LoadConfig) int {
	ctx := t.Context()
	errs := &errorBudget{t: t, limit: 5}
	start := time.Now()
	n := runQuota(t, "keys of the listing", listWorkers, listFloor, l.ListKeys, l.Budget, errs.exhausted, func(i int) {
		if _, err := b.Put(ctx, listKey(i), strings.NewReader(""), backend.PutOptions{Size: 0}); err != nil {
			errs.errorf("Put(%q): %v", listKey(i), err)
		}
	})
	t.Logf("stored %d keys with %d workers in %s", n, listWorkers, time.Since(start).Round(time.Millisecond))
	return n
}

// liveHeap collects garbage twice (the second run frees what the first
// run's finalizers and cleared pools released) and returns the bytes of
// live heap objects and of all heap allocations so far.
func liveHeap() (live, total uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.TotalAlloc
}

// pageSizeOf estimates the heap a page occupies when its strings are its
// own: the slice of ObjectInfo and each string and metadata entry.
func pageSizeOf(p backend.ListPage) uint64 {
	n := uint64(cap(p.Objects)) * uint64(unsafe.Sizeof(backend.ObjectInfo{}))
	for _, o := range p.Objects {
		n += uint64(len(o.Key) + len(o.ETag) + len(o.ContentType))
		for k, v := range o.Metadata {
			n += uint64(len(k)+len(v)) + 64
		}
	}
	return n
}

// ---- load-put-aborted -----------------------------------------------------

// abortedPuts is the number of puts load-put-aborted abandons midway.
const abortedPuts = 100

func checkLoadPutAborted(t T, b backend.Backend, _ LoadConfig) {
	ctx := t.Context()
	// Larger than any single write of a transport, so that every put is
	// still sending when it is aborted.
	data := payload(0xab0, 256<<10)
	boom := newFault("load-put-aborted")
	// abort makes put number i fail midway: by a context cancelled after
	// 64 KiB, or by a reader that fails there, of known or unknown size.
	abort := func(i int) error {
		key := fmt.Sprintf("aborted/%03d", i)
		opts := backend.PutOptions{Size: int64(len(data))}
		if i%2 == 1 {
			opts.Size = -1
		}
		var err error
		if i%4 < 2 {
			cctx, cancel := context.WithCancel(ctx)
			_, err = b.Put(cctx, key, cancellingReader(data, 64<<10, cancel), opts)
			cancel()
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Put(%q, Size %d) cancelled after 64 KiB: got %v, want an error wrapping context.Canceled", key, opts.Size, err)
			}
		} else {
			_, err = b.Put(ctx, key, failingReader(data, 64<<10, boom), opts)
			if !errors.Is(err, boom) {
				return fmt.Errorf("Put(%q, Size %d) whose reader failed after 64 KiB: got %v, want an error wrapping the reader's", key, opts.Size, err)
			}
		}
		return nil
	}
	for i := range 4 {
		if err := abort(i); err != nil {
			t.Fatalf("%v", err)
		}
	}
	base := settledBaseline()
	errs := &errorBudget{t: t, limit: 10}
	for i := 4; i < 4+abortedPuts && !errs.exhausted(); i++ {
		if err := abort(i); err != nil {
			errs.errorf("%v", err)
		}
	}
	if t.Failed() {
		return
	}
	if _, err := leakcheck.WaitBack(base, openSlack(1), loadWait()); err != nil {
		t.Errorf("after %d puts aborted midway: %v", abortedPuts, err)
	}
	wantKeys(t, b, "aborted/", nil, fmt.Sprintf("after %d puts aborted midway", abortedPuts+4))
}
