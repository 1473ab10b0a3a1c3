package conformance

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// These tests check the runner of Check with hand-made checks.

func memFactory(cleanups *[]string) func(context.Context) (backend.Backend, func(), error) {
	return func(context.Context) (backend.Backend, func(), error) {
		b := mem.New()
		return b, func() {
			if cleanups != nil {
				*cleanups = append(*cleanups, "factory")
			}
			b.Close()
		}, nil
	}
}

func run(t *testing.T, fn func(T, backend.Backend)) Result {
	t.Helper()
	return runCheck(t.Context(), newConfig(nil), check{name: "fake", fn: fn}, memFactory(nil))
}

func TestFailNowEndsOnlyTheCheck(t *testing.T) {
	reached := false
	r := run(t, func(t T, _ backend.Backend) {
		t.Errorf("first %d", 1)
		t.FailNow()
		reached = true
	})
	assert.False(t, reached, "code after FailNow ran")
	assert.True(t, r.Failed())
	assert.Equal(t, "fake", r.Name)
	assert.Equal(t, "first 1", r.Message)

	r = run(t, func(t T, _ backend.Backend) {
		t.Fatalf("fatal %s", "x")
		reached = true
	})
	assert.False(t, reached, "code after Fatalf ran")
	assert.True(t, r.Failed())
	assert.Equal(t, "fatal x", r.Message)

	// The runner goes on: the next check passes.
	r = run(t, func(t T, _ backend.Backend) { t.Logf("note") })
	assert.True(t, r.Passed)
	assert.False(t, r.Skipped)
	assert.Equal(t, "note", r.Message)
}

func TestSkipf(t *testing.T) {
	reached := false
	r := run(t, func(t T, _ backend.Backend) {
		t.Skipf("not for %s", "this store")
		reached = true
	})
	assert.False(t, reached)
	assert.True(t, r.Skipped)
	assert.False(t, r.Passed)
	assert.False(t, r.Failed())
	assert.Equal(t, "not for this store", r.Message)
}

func TestFailedWins(t *testing.T) {
	r := run(t, func(t T, _ backend.Backend) {
		t.Errorf("broken")
		assert.True(t, t.Failed())
		t.Skipf("then skipped")
	})
	assert.True(t, r.Failed(), "a check that failed and then skipped is failed")
}

func TestPanicIsAFailure(t *testing.T) {
	r := run(t, func(T, backend.Backend) { panic("boom") })
	assert.True(t, r.Failed())
	assert.Contains(t, r.Message, "panic: boom")
	assert.Contains(t, r.Message, "check_test.go", "the message has the stack")
}

func TestCleanupsRunLastFirstAfterTheContextEnds(t *testing.T) {
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	r := runCheck(t.Context(), newConfig(nil), check{name: "fake", fn: func(t T, _ backend.Backend) {
		ctx := t.Context()
		t.Cleanup(func() {
			note("first")
			if ctx.Err() == nil {
				note("context still live")
			}
		})
		t.Cleanup(func() { note("second, fails"); t.FailNow() })
		t.Cleanup(func() { note("third, panics"); panic("in cleanup") })
		t.Fatalf("stop")
	}}, func(context.Context) (backend.Backend, func(), error) {
		return mem.New(), func() { note("factory") }, nil
	})
	assert.Equal(t, []string{"third, panics", "second, fails", "first", "factory"}, order)
	assert.True(t, r.Failed())
	assert.Contains(t, r.Message, "panic: in cleanup")
}

func TestFactoryError(t *testing.T) {
	cleaned, ran := false, false
	r := runCheck(t.Context(), newConfig(nil), check{name: "fake", fn: func(T, backend.Backend) { ran = true }},
		func(context.Context) (backend.Backend, func(), error) {
			return nil, func() { cleaned = true }, errors.New("no bucket")
		})
	assert.False(t, ran)
	assert.True(t, cleaned, "the cleanup returned with an error still runs")
	assert.True(t, r.Failed())
	assert.Equal(t, "cannot make a backend: no bucket", r.Message)

	r = runCheck(t.Context(), newConfig(nil), check{name: "fake", fn: func(T, backend.Backend) { ran = true }},
		func(context.Context) (backend.Backend, func(), error) { return nil, nil, nil })
	assert.False(t, ran)
	assert.True(t, r.Failed())
}

func TestTimeout(t *testing.T) {
	cfg := newConfig([]Option{CheckTimeout(50 * time.Millisecond)})
	cfg.grace = 50 * time.Millisecond

	// A check that honours its context ends at the deadline.
	r := runCheck(t.Context(), cfg, check{name: "slow", fn: func(t T, _ backend.Backend) {
		<-t.Context().Done()
		t.Errorf("gave up: %v", t.Context().Err())
	}}, memFactory(nil))
	assert.True(t, r.Failed())
	assert.Contains(t, r.Message, context.DeadlineExceeded.Error())

	// A check that ignores it is abandoned after the grace period.
	release := make(chan struct{})
	ended := make(chan struct{})
	t.Cleanup(func() { close(release); <-ended })
	start := time.Now()
	r = runCheck(t.Context(), cfg, check{name: "hung", fn: func(T, backend.Backend) {
		defer close(ended)
		<-release
	}}, memFactory(nil))
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, r.Failed())
	assert.Contains(t, r.Message, "abandoned")
}

func TestConcurrentErrorf(t *testing.T) {
	r := run(t, func(t T, _ backend.Backend) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { t.Errorf("from %d", i); t.Logf("log %d", i) })
		}
		wg.Wait()
	})
	assert.True(t, r.Failed())
	assert.Len(t, strings.Split(r.Message, "\n"), 16)
}

func TestMessageIsBounded(t *testing.T) {
	r := run(t, func(t T, _ backend.Backend) {
		for i := range 100 {
			t.Errorf("line %d", i)
		}
	})
	lines := strings.Split(r.Message, "\n")
	assert.Len(t, lines, maxLines+1)
	assert.Equal(t, "... and 60 more lines", lines[maxLines])
}

func TestOptions(t *testing.T) {
	var names []string
	for _, c := range Checks() {
		names = append(names, c.Name)
		assert.NotEmpty(t, c.Doc, c.Name)
	}
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(names))), len(names), "check names are unique")

	var reported []string
	var cleanups []string
	results := Check(t.Context(), memFactory(&cleanups),
		Only("round-trip", "zero-byte", "large-unknown-size"), Skip("zero-byte"), Short(),
		OnResult(func(r Result) { reported = append(reported, r.String()) }))
	require.Len(t, results, 3)
	assert.Equal(t, "round-trip", results[0].Name)
	assert.True(t, results[0].Passed, results[0].Message)
	assert.True(t, results[1].Skipped)
	assert.Equal(t, "skipped by option", results[1].Message)
	assert.True(t, results[2].Skipped)
	assert.Contains(t, results[2].Message, "short")
	assert.Equal(t, []string{"factory"}, cleanups, "one backend, for the one check that ran")
	require.Len(t, reported, 3)
	assert.Regexp(t, `^PASS round-trip \(\d+m?s\)$`, reported[0])
	assert.Equal(t, "SKIP zero-byte (0s): skipped by option", reported[1])
	assert.NoError(t, Err(results))

	results = Check(t.Context(), memFactory(nil), Only("no-such-check"))
	require.Len(t, results, 1)
	assert.Equal(t, "options", results[0].Name)
	assert.True(t, results[0].Failed())
	assert.Contains(t, results[0].Message, `unknown check "no-such-check"`)
	assert.Contains(t, results[0].Message, "round-trip", "the message lists the known checks")
}

func TestResultStringAndErr(t *testing.T) {
	fail := Result{Name: "list-order", Message: "wrong order\nmore", Duration: 1500 * time.Millisecond}
	assert.Equal(t, "FAIL list-order (1.5s): wrong order", fail.String())
	pass := Result{Name: "round-trip", Passed: true, Message: "a note"}
	assert.Equal(t, "PASS round-trip (0s)", pass.String())
	assert.NoError(t, Err([]Result{pass}))
	err := Err([]Result{pass, fail})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 of 2 checks failed")
	assert.Contains(t, err.Error(), "list-order: wrong order\nmore")
}
