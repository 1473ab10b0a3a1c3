package conformance

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Option tunes Run and Check.
type Option func(*config)

type config struct {
	short   bool
	only    []string
	skip    []string
	timeout time.Duration
	grace   time.Duration
	report  func(Result)
	load    LoadConfig
}

func newConfig(opts []Option) *config {
	c := &config{timeout: 10 * time.Minute, grace: 30 * time.Second}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Short skips the checks that move a lot of data (Info.Long), such as the
// 64 MiB upload. Run also skips them under go test -short.
func Short() Option { return func(c *config) { c.short = true } }

// Only runs just the named checks (see Checks for the names).
func Only(names ...string) Option {
	return func(c *config) { c.only = append(c.only, names...) }
}

// Skip skips the named checks; they are reported as skipped, with the
// reason "skipped by option".
func Skip(names ...string) Option {
	return func(c *config) { c.skip = append(c.skip, names...) }
}

// CheckTimeout bounds each check when run by Check (default 10 minutes):
// the check's context is cancelled at the deadline, and a check that has
// still not ended 30 seconds later is reported as failed and abandoned.
// Run leaves deadlines to go test -timeout.
func CheckTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// OnResult makes Check call f with each Result as soon as its check ends,
// so that a command can print progress. Run ignores it.
func OnResult(f func(Result)) Option { return func(c *config) { c.report = f } }

// plan is one check with the reason it will be skipped, if any.
type plan struct {
	check
	skip string
}

// selection returns the checks to run, in suite order, or an error naming
// an unknown check.
func (c *config) selection(short bool) ([]plan, error) {
	all := suite()
	known := make([]string, len(all))
	for i, ch := range all {
		known[i] = ch.name
	}
	for _, n := range append(slices.Clone(c.only), c.skip...) {
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("conformance: unknown check %q (known: %s)", n, strings.Join(known, ", "))
		}
	}
	var out []plan
	for _, ch := range all {
		if len(c.only) > 0 && !slices.Contains(c.only, ch.name) {
			continue
		}
		p := plan{check: c.bind(ch, short)}
		switch {
		case slices.Contains(c.skip, ch.name):
			p.skip = "skipped by option"
		case ch.long && (c.short || short):
			p.skip = "skipped in short mode: moves a lot of data"
		}
		out = append(out, p)
	}
	return out, nil
}
