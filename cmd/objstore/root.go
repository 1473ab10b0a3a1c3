package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// defaultURL is the store used without --url and OBJSTORE_URL: a directory
// next to where the command runs.
const defaultURL = "file://./objstore-data"

// envURL names the environment variable that chooses the store.
const envURL = "OBJSTORE_URL"

// app is one run of the command: its streams, its global flags, and
// whether the command line was accepted (errors after that are not usage
// errors unless marked so).
type app struct {
	in        io.Reader
	out, errw io.Writer

	url     string
	asJSON  bool
	quiet   bool
	started bool
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	a := &app{in: in, out: out, errw: errw}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		if ctx.Err() != nil && a.started {
			return exitInterrupted // stream put: closed cleanly after the signal
		}
		return exitOK
	}
	if !a.started {
		// cobra refused the command line (unknown command or flag, wrong
		// number of arguments) before any command ran.
		var ue *usageError
		if !errors.As(err, &ue) {
			err = &usageError{err: err}
		}
	}
	code := exitCode(ctx, err)
	if ctx.Err() != nil && a.started {
		// Interrupted (SIGINT, SIGTERM): the command has cleaned up and
		// ends like tail -f, with 130 and no "context canceled" text. An
		// error that is not the interruption itself (a cleanup that
		// failed) is still shown.
		if interruptedOnly(err) {
			return exitInterrupted
		}
		code = exitInterrupted
	}
	path := ""
	if cmd != nil {
		path = cmd.CommandPath()
	}
	reportError(errw, err, code, a.asJSON, path)
	return code
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "objstore",
		Short: "Put, get, list, stream and remove objects in any objstore store",
		Long: `objstore works on one store at a time, named by a URL: --url, else the
OBJSTORE_URL environment variable, else ` + defaultURL + ` (a directory
here). Schemes: file:///abs/dir, file://./rel/dir, minio://, s3://, gs://,
azblob:// (mem:// only for conformance: it dies with the process).
Commands that only read never create a store; put, cp, stream put and mb
create a missing file:// directory. See docs/cli.md.

Exit codes: 0 success, 1 failure (not found, store error), 2 usage error,
130 interrupted.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.started = true
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.url, "url", "", "store URL (default $"+envURL+", else "+defaultURL+")")
	pf.BoolVar(&a.asJSON, "json", false, "machine-readable output: JSON objects, one per line")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print nothing but data and errors; no progress bars")

	root.AddCommand(
		a.putCommand(), a.getCommand(), a.catCommand(), a.lsCommand(), a.statCommand(),
		a.rmCommand(), a.cpCommand(), a.mirrorCommand(), a.streamCommand(), a.healthCommand(),
		a.conformanceCommand(), a.versionCommand(), a.watchCommand(),
		a.mbCommand(), a.rbCommand(), a.presignCommand(),
	)
	return root
}

// storeURL resolves the store: --url, else $OBJSTORE_URL, else the default.
func (a *app) storeURL() string {
	if a.url != "" {
		return a.url
	}
	if u := os.Getenv(envURL); u != "" {
		return u
	}
	return defaultURL
}

// open opens a client on rawURL. A URL that does not parse or has no
// driver is a usage error.
func (a *app) open(ctx context.Context, rawURL string) (*objstore.Client, error) {
	c, err := objstore.Open(ctx, rawURL)
	if err != nil {
		if errors.Is(err, objstore.ErrInvalidArgument) || errors.Is(err, objstore.ErrNotSupported) {
			return nil, &usageError{err: err}
		}
		return nil, err
	}
	return c, nil
}

// client opens the store of the global flags for the command op (see
// openStore).
func (a *app) client(ctx context.Context, op string, mode access) (*objstore.Client, error) {
	return a.openStore(ctx, op, a.storeURL(), mode)
}

// redacted is the store URL as it may be shown: without a password.
func (a *app) redacted() string { return showURL(a.storeURL()) }

// emit writes v as one line of JSON to stdout.
func (a *app) emit(v any) error {
	return json.NewEncoder(a.out).Encode(v)
}

// status prints a human message about what was done, unless --quiet or
// --json. w is stdout, or stderr when stdout carries data.
func (a *app) status(w io.Writer, format string, args ...any) {
	if a.quiet || a.asJSON {
		return
	}
	fprintf(w, format, args...)
}

// isTerminal reports whether f is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// closeWith closes c and joins its error to *err, for defers.
func closeWith(c io.Closer, err *error) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// showURL is rawURL as it may be shown: without a password (see
// backend.Redact). A bare "scheme://" (mem://) is shown as typed, where
// URL.Redacted would drop the slashes.
func showURL(rawURL string) string {
	r := backend.Redact(rawURL)
	if strings.HasSuffix(rawURL, "://") && r+"//" == rawURL {
		return rawURL
	}
	return r
}
