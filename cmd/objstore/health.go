package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// healthJSON is the --json shape of one endpoint (check "endpoint").
type healthJSON struct {
	Check     string  `json:"check"`
	Endpoint  string  `json:"endpoint"`
	Live      bool    `json:"live"`
	Ready     bool    `json:"ready"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
	Probe     bool    `json:"probe"`
}

// accessJSON is the --json shape of the credentials and bucket checks.
type accessJSON struct {
	Check     string  `json:"check"` // "credentials" or "bucket"
	OK        bool    `json:"ok"`
	State     string  `json:"state"` // ok, denied, missing, unknown
	LatencyMS float64 `json:"latency_ms"`
	Detail    string  `json:"detail,omitempty"`
	Error     string  `json:"error,omitempty"`
}

// accessResult is what one authenticated request told about a store.
type accessResult struct {
	creds, bucket string // ok, denied, missing, unknown
	credsDetail   string
	bucketDetail  string
	latency       time.Duration
	err           error // the request's error, when it says something
	answered      bool  // the store answered (an error from the server counts)
}

func (a *app) healthCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health [URL]",
		Short: "Check that a store answers, accepts the credentials, and has its bucket",
		Long: `health checks the store URL (else --url / $OBJSTORE_URL) in three parts,
each reported on its own line:

  endpoints    each endpoint is live and ready (MinIO's health checks;
               other drivers have none and are probed by the request below)
  credentials  the store accepts the credentials of the URL
  bucket       the bucket (container, directory) exists

Credentials and bucket are proved by one authenticated request, a listing
of at most one key: allowed means both are good; "access denied" means
the credentials are wrong or have no right to read the bucket (then a
stat of a random key tells which); "no such bucket" means the credentials
are good and the bucket is missing (create it with objstore mb URL).

Exit 0 when every part is good, 1 otherwise.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			c, err := a.openStore(ctx, "health", rawURL, existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			eps, err := c.Health(ctx)
			probe := false
			switch {
			case errors.Is(err, objstore.ErrNotSupported):
				probe = true
			case err != nil:
				return backend.NewError("health", "", nil, err)
			}
			anyLive := probe
			for _, e := range eps {
				anyLive = anyLive || e.Live
			}
			acc := accessResult{creds: "unknown", bucket: "unknown",
				credsDetail: "not checked: no endpoint is live", bucketDetail: "not checked: no endpoint is live"}
			if anyLive {
				acc = checkAccess(ctx, c, rawURL)
			}
			if probe {
				eps = []backend.EndpointHealth{{Endpoint: showURL(rawURL), Live: acc.answered, Ready: acc.answered,
					Latency: acc.latency, Err: probeErr(acc)}}
			}
			down := 0
			for _, e := range eps {
				if !e.Live || !e.Ready {
					down++
				}
				if err := a.printEndpoint(e, probe); err != nil {
					return err
				}
			}
			if err := a.printAccess(acc); err != nil {
				return err
			}
			if probe && !a.asJSON && !a.quiet {
				fprintf(a.errw, "(the %s driver has no health checks: its endpoint was probed with that listing)\n", schemeOf(rawURL))
			}
			var problems []string
			if down > 0 {
				problems = append(problems, fmt.Sprintf("%d of %d endpoints not ready", down, len(eps)))
			}
			if acc.creds != "ok" {
				problems = append(problems, "credentials "+acc.creds)
			}
			if acc.bucket != "ok" {
				problems = append(problems, "bucket "+acc.bucket)
			}
			if len(problems) > 0 {
				return fmt.Errorf("health %s: %s", showURL(rawURL), joinList(problems))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "give up after this long")
	return cmd
}

// checkAccess makes one authenticated request (a listing of at most one
// key) and, when it is refused, a second (a stat of a random key) to tell
// wrong credentials from credentials without the right to list.
func checkAccess(ctx context.Context, c *objstore.Client, rawURL string) accessResult {
	start := time.Now()
	_, err := c.Backend().List(ctx, backend.ListOptions{PageSize: 1})
	r := accessResult{latency: time.Since(start), err: err, answered: true}
	switch {
	case err == nil:
		r.creds, r.credsDetail = "ok", "a listing was allowed"
		r.bucket, r.bucketDetail = "ok", "it exists"
	case errors.Is(err, objstore.ErrPermission):
		_, serr := c.Backend().Stat(ctx, "objstore-health-check-"+randomHex(8))
		switch {
		case errors.Is(serr, objstore.ErrNotFound):
			r.creds, r.credsDetail = "ok", "accepted, but not allowed to list the bucket"
			r.bucket, r.bucketDetail = "ok", "a stat of a random key found none"
			r.err = nil
		default:
			r.creds, r.credsDetail = "denied", "the store refused them: a wrong access key or secret, or no right to read the bucket"
			r.bucket, r.bucketDetail = "unknown", "not checked: the credentials were refused"
		}
	case errors.Is(err, objstore.ErrNotFound):
		r.creds, r.credsDetail = "ok", "accepted"
		r.bucket, r.bucketDetail = "missing", "it does not exist: create it with 'objstore mb "+showURL(rawURL)+"'"
	default:
		r.answered = !errors.Is(err, objstore.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded)
		r.creds, r.credsDetail = "unknown", "the request failed"
		r.bucket, r.bucketDetail = "unknown", "the request failed"
	}
	return r
}

// probeErr is the error shown on the endpoint line of a driver without
// health checks: only one that says the store did not answer.
func probeErr(acc accessResult) error {
	if acc.answered {
		return nil
	}
	return acc.err
}

func (a *app) printEndpoint(e backend.EndpointHealth, probe bool) error {
	if a.asJSON {
		j := healthJSON{Check: "endpoint", Endpoint: e.Endpoint, Live: e.Live, Ready: e.Ready,
			LatencyMS: float64(e.Latency.Microseconds()) / 1000, Probe: probe}
		if e.Err != nil {
			j.Error = e.Err.Error()
		}
		return a.emit(j)
	}
	state := "ready"
	switch {
	case !e.Live:
		state = "down"
	case !e.Ready:
		state = "live, not ready"
	}
	line := fmt.Sprintf("%-40s %-16s %8s", e.Endpoint, state, e.Latency.Round(time.Microsecond*100))
	if e.Err != nil {
		line += "  " + e.Err.Error()
	}
	fprintf(a.out, "%s\n", line)
	return nil
}

func (a *app) printAccess(acc accessResult) error {
	errText := ""
	if acc.err != nil && (acc.creds != "ok" || acc.bucket != "ok") {
		errText = message(acc.err)
	}
	if a.asJSON {
		ms := float64(acc.latency.Microseconds()) / 1000
		if err := a.emit(accessJSON{Check: "credentials", OK: acc.creds == "ok", State: acc.creds, LatencyMS: ms,
			Detail: acc.credsDetail, Error: errText}); err != nil {
			return err
		}
		return a.emit(accessJSON{Check: "bucket", OK: acc.bucket == "ok", State: acc.bucket, LatencyMS: ms,
			Detail: acc.bucketDetail, Error: errText})
	}
	fprintf(a.out, "%-40s %-16s %8s  %s\n", "credentials", acc.creds, acc.latency.Round(time.Microsecond*100), acc.credsDetail)
	fprintf(a.out, "%-40s %-16s %8s  %s\n", "bucket", acc.bucket, "", acc.bucketDetail)
	if errText != "" {
		fprintf(a.out, "  %s\n", errText)
	}
	return nil
}

// joinList joins "a", "b", "c" as "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, it := range items[1 : len(items)-1] {
		out += ", " + it
	}
	return out + " and " + items[len(items)-1]
}

func schemeOf(rawURL string) string {
	for i := 0; i < len(rawURL); i++ {
		if rawURL[i] == ':' {
			return rawURL[:i]
		}
	}
	return rawURL
}
