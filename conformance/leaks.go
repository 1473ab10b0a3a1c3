package conformance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// The leak checks count the goroutines of the whole process, as goleak
// does, but against a baseline taken after a warm-up: a driver may keep a
// few goroutines for idle connections, which is no leak, while one
// goroutine left per call grows with the number of calls. Each check makes
// leakRounds calls and allows leakSlack goroutines more than the baseline.
const (
	leakRounds = 40
	leakSlack  = 5
)

// leakWait is how long the goroutines get to end (a variable for the
// defect tests, which expect a leak and need not wait as long).
var leakWait = 5 * time.Second

// goroutines waits briefly for goroutines that are ending (closed
// connections) to go, then counts them.
func goroutines() int {
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	return runtime.NumGoroutine()
}

// wantGoroutinesBack waits up to leakWait for the number of goroutines to
// fall back to base+leakSlack, and fails with a summary of the goroutines
// alive otherwise.
func wantGoroutinesBack(t T, base int, what string) {
	t.Helper()
	deadline := time.Now().Add(leakWait)
	for {
		n := runtime.NumGoroutine()
		if n <= base+leakSlack {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: %d goroutines, %d before %d rounds (at most %d more allowed): a goroutine leaks per call?\n%s",
				what, n, base, leakRounds, leakSlack, goroutineSummary())
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutineSummary counts the live goroutines by the function they are
// blocked in, most frequent first.
func goroutineSummary() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	counts := map[string]int{}
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		sc := bufio.NewScanner(bytes.NewReader(block))
		sc.Scan() // "goroutine N [state]:"
		state := sc.Text()
		if i := strings.Index(state, "["); i >= 0 {
			state = state[i:]
		}
		if sc.Scan() {
			fn := sc.Text()
			if i := strings.LastIndex(fn, "("); i > 0 {
				fn = fn[:i]
			}
			counts[fn+" "+state]++
		}
	}
	type entry struct {
		fn string
		n  int
	}
	var list []entry
	for fn, n := range counts {
		list = append(list, entry{fn, n})
	}
	slices.SortFunc(list, func(a, b entry) int { return b.n - a.n })
	var sb strings.Builder
	for i, e := range list {
		if i == 10 {
			break
		}
		fmt.Fprintf(&sb, "\t%4d × %s\n", e.n, e.fn)
	}
	return sb.String()
}

func checkListStoppedEarly(t T, b backend.Backend) {
	for i := range 30 {
		k := fmt.Sprintf("early/%02d", i)
		mustPut(t, b, k, []byte(k), sized([]byte(k)))
	}
	firstPage := func(ctx context.Context) {
		page, err := b.List(ctx, backend.ListOptions{Prefix: "early/", PageSize: 2})
		if err != nil {
			t.Fatalf("List(early/, page size 2): %v", err)
		}
		if len(page.Objects) == 0 || page.NextToken == "" {
			t.Fatalf("List(early/, page size 2) of 30 keys gave %d objects and token %q", len(page.Objects), page.NextToken)
		}
	}
	for range 3 {
		firstPage(t.Context())
	}
	base := goroutines()
	for range leakRounds {
		firstPage(t.Context())
		// And a consumer that gives up by cancelling.
		ctx, cancel := context.WithCancel(t.Context())
		firstPage(ctx)
		cancel()
		_, _ = b.List(ctx, backend.ListOptions{Prefix: "early/", PageSize: 2})
	}
	wantGoroutinesBack(t, base, fmt.Sprintf("after %d listings abandoned after one page", 2*leakRounds))
}

func checkGetClosedEarly(t T, b backend.Backend) {
	const key = "early/get"
	data := payload(30, 1<<20)
	mustPut(t, b, key, data, sized(data))

	readSome := func(ctx context.Context, n int) {
		rc, _, err := b.Get(ctx, key, backend.WholeObject)
		if err != nil {
			t.Fatalf("Get(%q): %v", key, err)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(rc, buf); err != nil {
			t.Errorf("reading the first %d bytes of %q: %v", n, key, err)
		} else if !bytes.Equal(buf, data[:n]) {
			t.Errorf("the first %d bytes of %q differ from those put", n, key)
		}
		if err := rc.Close(); err != nil {
			t.Errorf("closing the reader of %q after %d of %d bytes: %v", key, n, len(data), err)
		}
	}
	for range 3 {
		readSome(t.Context(), 100)
	}
	base := goroutines()
	for i := range leakRounds {
		readSome(t.Context(), []int{0, 1, 100, 64 << 10}[i%4])
		// A reader whose context is cancelled before it is closed.
		ctx, cancel := context.WithCancel(t.Context())
		rc, _, err := b.Get(ctx, key, backend.WholeObject)
		if err != nil {
			cancel()
			t.Fatalf("Get(%q): %v", key, err)
		}
		cancel()
		_, _ = io.Copy(io.Discard, rc) // may fail or not: the data may already be buffered
		_ = rc.Close()
	}
	wantGoroutinesBack(t, base, fmt.Sprintf("after %d Get readers closed before the end", 2*leakRounds))
	wantContent(t, b, key, data, "after readers were closed early")
}
