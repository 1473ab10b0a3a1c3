package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// watchJSON is the --json shape of one watch event.
type watchJSON struct {
	Event string `json:"event"`
	objectJSON
}

func (a *app) watchCommand() *cobra.Command {
	var interval time.Duration
	var existing bool
	cmd := &cobra.Command{
		Use:   "watch PREFIX",
		Short: "Print the objects created, changed and removed under PREFIX as it happens",
		Long: `watch lists PREFIX every --interval (default 1s) and prints one line per
change since the last listing: "created KEY", "changed KEY" (its ETag,
size or time differs) or "removed KEY", in key order. The first listing is
the baseline and prints nothing; with --existing it prints "created" for
every object already there. An object created and removed between two
listings is not seen. An idle watch costs one List request per 1000
objects under PREFIX per interval.

A listing that fails is reported on stderr and the watch goes on. It runs
until Ctrl-C (exit 130). With --json each event is
{"event","key","size","last_modified","etag"}.`,
		Example: `  objstore watch captures/
  objstore watch --json --interval 10s logs/ | jq -r .key`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			prefix := args[0]
			if interval <= 0 {
				return usagef("--interval %v: must be positive", interval)
			}
			if err := backend.ValidatePrefix("watch", prefix); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "watch", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			for ev, err := range c.Watch(ctx, prefix, objstore.WatchOptions{Interval: interval, Existing: existing}) {
				if err != nil {
					a.warn(err)
					continue
				}
				if a.asJSON {
					if err := a.emit(watchJSON{Event: string(ev.Type), objectJSON: infoJSON(ev.Object)}); err != nil {
						return err
					}
					continue
				}
				if _, err := a.out.Write([]byte(string(ev.Type) + " " + ev.Object.Key + "\n")); err != nil {
					return err
				}
			}
			// The watch ends only with ctx: Ctrl-C.
			return backend.NewError("watch", prefix, nil, ctx.Err())
		},
	}
	cmd.Flags().DurationVar(&interval, "interval", objstore.DefaultWatchInterval, "pause between two listings")
	cmd.Flags().BoolVar(&existing, "existing", false, "print the objects already under PREFIX first, as created")
	return cmd
}

// warn reports an error that does not end the command on stderr: one
// line, or with --json one {"warning","kind"} object.
func (a *app) warn(err error) {
	if a.asJSON {
		_ = json.NewEncoder(a.errw).Encode(map[string]any{"warning": message(err), "kind": errorKind(err)})
		return
	}
	fprintf(a.errw, "%s\n", message(err))
}
