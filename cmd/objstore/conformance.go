package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance"
)

// longKeyCheck is the check whose keys of exactly MaxKeyLen bytes cannot
// fit under a scratch prefix.
const longKeyCheck = "odd-keys"

// resultJSON is the --json shape of one check.
type resultJSON struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"` // pass, skip or fail
	DurationMS float64 `json:"duration_ms"`
	Message    string  `json:"message,omitempty"`
}

func (a *app) conformanceCommand() *cobra.Command {
	var (
		short     bool
		list      bool
		only      []string
		skip      []string
		timeout   time.Duration
		scratchAt string
	)
	cmd := &cobra.Command{
		Use:   "conformance [URL]",
		Short: "Run the backend conformance suite against a store",
		Long: `conformance runs the checks of package conformance (the contract every
driver keeps) against the store URL (else --url / $OBJSTORE_URL), and
prints one line per check and a summary. It exits 1 if any check failed.

The checks run under a scratch prefix (default objstore-conformance-
followed by random hex), one sub-prefix per check, removed when each
check ends: the rest of the store is not touched. The check odd-keys
stores keys of exactly 1024 bytes, which cannot fit under a prefix, so
it is skipped then; --scratch '' runs every check at the root of the
store, which must be empty (it is emptied again afterwards).

Interrupting the run may leave the scratch prefix behind: remove it with
objstore rm --prefix.`,
		Example: `  objstore conformance file:///tmp/store
  objstore conformance --short 'minio://KEY:SECRET@127.0.0.1:9000/test-bucket'
  objstore conformance --only round-trip,list-order mem://`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if list {
				return a.listChecks()
			}
			if err := knownChecks(only, skip); err != nil {
				return err
			}
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			if !cmd.Flags().Changed("scratch") {
				scratchAt = "objstore-conformance-" + randomHex(4) + "/"
			}
			if scratchAt != "" && !strings.HasSuffix(scratchAt, "/") {
				scratchAt += "/"
			}
			if err := backend.ValidatePrefix("conformance", scratchAt); err != nil {
				return err
			}
			ctx := cmd.Context()
			if err := a.wantEmpty(ctx, rawURL, scratchAt); err != nil {
				return err
			}
			if scratchAt != "" && !slices.Contains(skip, longKeyCheck) && (len(only) == 0 || slices.Contains(only, longKeyCheck)) {
				skip = append(skip, longKeyCheck)
				a.status(a.errw, "note: %s is skipped: its 1024-byte keys do not fit under the scratch prefix (use --scratch '' on an empty store)\n", longKeyCheck)
			}
			return a.runConformance(ctx, rawURL, scratchAt, short, only, skip, timeout)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&short, "short", false, "skip the checks that move a lot of data (the 64 MiB upload)")
	f.BoolVar(&list, "list", false, "list the checks and what each proves, and exit")
	f.StringSliceVar(&only, "only", nil, "run only these checks (comma-separated or repeated)")
	f.StringSliceVar(&skip, "skip", nil, "skip these checks")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "time limit of each check")
	f.StringVar(&scratchAt, "scratch", "", "the prefix the checks run under (default objstore-conformance-RANDOM/; '' for the root of an empty store)")
	return cmd
}

// knownChecks refuses check names the suite does not have.
func knownChecks(lists ...[]string) error {
	var known []string
	for _, c := range conformance.Checks() {
		known = append(known, c.Name)
	}
	for _, l := range lists {
		for _, n := range l {
			if !slices.Contains(known, n) {
				return usagef("unknown check %q (see objstore conformance --list)", n)
			}
		}
	}
	return nil
}

func (a *app) listChecks() error {
	for _, c := range conformance.Checks() {
		if a.asJSON {
			if err := a.emit(map[string]any{"name": c.Name, "doc": c.Doc, "long": c.Long}); err != nil {
				return err
			}
			continue
		}
		long := ""
		if c.Long {
			long = " [long]"
		}
		fprintf(a.out, "%-22s%s %s\n", c.Name, long, c.Doc)
	}
	return nil
}

// wantEmpty refuses to run where objects already live: the checks expect
// an empty namespace, and their cleanup removes everything under it.
func (a *app) wantEmpty(ctx context.Context, rawURL, prefix string) (err error) {
	c, err := a.openStore(ctx, "conformance", rawURL, existingStore)
	if err != nil {
		return err
	}
	defer closeWith(c, &err)
	page, err := c.Backend().List(ctx, backend.ListOptions{Prefix: prefix, PageSize: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 {
		where := fmt.Sprintf("the scratch prefix %q", prefix)
		if prefix == "" {
			where = "the store"
		}
		return usagef("%s of %s already holds objects (e.g. %q): conformance runs only in an empty namespace",
			where, showURL(rawURL), page.Objects[0].Key)
	}
	return nil
}

func (a *app) runConformance(ctx context.Context, rawURL, scratchAt string, short bool, only, skip []string, timeout time.Duration) error {
	var (
		n           atomic.Int64
		mu          sync.Mutex
		cleanupErrs []error
	)
	// Each check gets a backend of its own, freshly opened (a check may
	// close it), under a sub-prefix of its own; its cleanup opens another
	// to remove what the check left.
	newBackend := func(ctx context.Context) (backend.Backend, func(), error) {
		prefix := scratchAt
		if prefix != "" {
			prefix += fmt.Sprintf("c%02d/", n.Add(1))
		}
		b, err := backend.Open(ctx, rawURL)
		if err != nil {
			return nil, nil, err
		}
		cleanup := func() {
			if err := removeAll(context.WithoutCancel(ctx), rawURL, prefix); err != nil {
				mu.Lock()
				cleanupErrs = append(cleanupErrs, err)
				mu.Unlock()
			}
		}
		if prefix == "" {
			return b, cleanup, nil
		}
		return &scratch{b: b, prefix: prefix}, cleanup, nil
	}
	opts := []conformance.Option{conformance.CheckTimeout(timeout)}
	if short {
		opts = append(opts, conformance.Short())
	}
	if len(only) > 0 {
		opts = append(opts, conformance.Only(only...))
	}
	if len(skip) > 0 {
		opts = append(opts, conformance.Skip(skip...))
	}
	var printErr error
	opts = append(opts, conformance.OnResult(func(r conformance.Result) {
		if err := a.printResult(r); err != nil && printErr == nil {
			printErr = err
		}
	}))

	start := time.Now()
	results := conformance.Check(ctx, newBackend, opts...)
	elapsed := time.Since(start)
	if printErr != nil {
		return printErr
	}
	if scratchAt != "" {
		if err := removeAll(context.WithoutCancel(ctx), rawURL, scratchAt); err != nil {
			cleanupErrs = append(cleanupErrs, err)
		}
	}
	passed, skipped, failed := 0, 0, 0
	for _, r := range results {
		switch {
		case r.Passed:
			passed++
		case r.Skipped:
			skipped++
		default:
			failed++
		}
	}
	if a.asJSON {
		if err := a.emit(map[string]any{"summary": true, "url": showURL(rawURL), "passed": passed,
			"skipped": skipped, "failed": failed, "duration_ms": elapsed.Milliseconds()}); err != nil {
			return err
		}
	} else {
		fprintf(a.out, "%s: %d passed, %d skipped, %d failed in %s\n", showURL(rawURL),
			passed, skipped, failed, elapsed.Round(time.Millisecond))
	}
	var errs []error
	if failed > 0 {
		errs = append(errs, fmt.Errorf("conformance: %d of %d checks failed against %s", failed, len(results), showURL(rawURL)))
	}
	if len(cleanupErrs) > 0 {
		errs = append(errs, fmt.Errorf("conformance: cleaning up the scratch objects: %w", errors.Join(cleanupErrs...)))
	}
	return errors.Join(errs...)
}

func (a *app) printResult(r conformance.Result) error {
	if a.asJSON {
		j := resultJSON{Name: r.Name, Status: "fail", DurationMS: float64(r.Duration.Microseconds()) / 1000, Message: r.Message}
		switch {
		case r.Passed:
			j.Status = "pass"
		case r.Skipped:
			j.Status = "skip"
		}
		return a.emit(j)
	}
	fprintf(a.out, "%s\n", r)
	if r.Failed() {
		// The whole message: String shows only its first line.
		for _, line := range strings.Split(r.Message, "\n")[1:] {
			fprintf(a.out, "    %s\n", line)
		}
	}
	return nil
}

// removeAll removes every object under prefix of the store rawURL and
// checks that nothing is left.
func removeAll(ctx context.Context, rawURL, prefix string) (err error) {
	c, err := objstore.Open(ctx, rawURL)
	if err != nil {
		return err
	}
	defer closeWith(c, &err)
	if err := c.RemoveObjects(ctx, prefix); err != nil {
		return err
	}
	page, err := c.Backend().List(ctx, backend.ListOptions{Prefix: prefix, PageSize: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 {
		return backend.NewError("remove", prefix, nil, fmt.Errorf("%q is still there after removing the prefix", page.Objects[0].Key))
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
