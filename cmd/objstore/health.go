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

// healthJSON is the --json shape of one endpoint.
type healthJSON struct {
	Endpoint  string  `json:"endpoint"`
	Live      bool    `json:"live"`
	Ready     bool    `json:"ready"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
	Probe     bool    `json:"probe"`
}

func (a *app) healthCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health [URL]",
		Short: "Report whether each endpoint of a store is live and ready",
		Long: `health asks the store (URL, else --url / $OBJSTORE_URL) for the health of
each of its endpoints: live (the process answers) and ready (it can serve
reads and writes), with the latency of the request. Drivers without
health checks (file://, mem://, s3://, gs://, azblob://) are probed instead with a
listing of one key, reported as one endpoint with probe=true.

Exit 0 when every endpoint is ready, 1 otherwise.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			c, err := a.open(ctx, rawURL)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			eps, err := c.Health(ctx)
			probe := false
			if errors.Is(err, objstore.ErrNotSupported) {
				probe = true
				eps, err = []backend.EndpointHealth{probeStore(ctx, c, rawURL)}, nil
			}
			if err != nil {
				return err
			}
			down := 0
			for _, e := range eps {
				if !e.Live || !e.Ready {
					down++
				}
				if a.asJSON {
					j := healthJSON{Endpoint: e.Endpoint, Live: e.Live, Ready: e.Ready,
						LatencyMS: float64(e.Latency.Microseconds()) / 1000, Probe: probe}
					if e.Err != nil {
						j.Error = e.Err.Error()
					}
					if err := a.emit(j); err != nil {
						return err
					}
					continue
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
			}
			if probe && !a.asJSON && !a.quiet {
				fprintf(a.errw, "(the %s driver has no health checks: probed with a listing)\n", schemeOf(rawURL))
			}
			if down > 0 {
				return fmt.Errorf("%d of %d endpoints of %s not ready", down, len(eps), showURL(rawURL))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "give up after this long")
	return cmd
}

// probeStore checks a store without health checks by listing one key.
func probeStore(ctx context.Context, c *objstore.Client, rawURL string) backend.EndpointHealth {
	start := time.Now()
	_, err := c.Backend().List(ctx, backend.ListOptions{PageSize: 1})
	return backend.EndpointHealth{
		Endpoint: showURL(rawURL),
		Live:     err == nil,
		Ready:    err == nil,
		Latency:  time.Since(start),
		Err:      err,
	}
}

func schemeOf(rawURL string) string {
	for i := 0; i < len(rawURL); i++ {
		if rawURL[i] == ':' {
			return rawURL[:i]
		}
	}
	return rawURL
}
