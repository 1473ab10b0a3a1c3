package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	objstore "github.com/objstore-dev/objstore"
)

// Exit codes of the command (see the package doc).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageError marks an error that the user made on the command line: the
// command exits with exitUsage and points to --help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCode maps an error to the command's exit code. An invalid key is a
// usage error: the user typed it.
func exitCode(ctx context.Context, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue), errors.Is(err, objstore.ErrInvalidKey):
		return exitUsage
	default:
		return exitFailure
	}
}

// cmdError is an error of the command itself (not of the library) that
// matches a sentinel for the exit code and --json's kind, without the
// sentinel's words ("object not found") in its text, which would
// mislead where the thing missing is a store or a local file.
type cmdError struct {
	op, key string // key is "" when the operation is on no key
	msg     string
	kind    error
}

func (e *cmdError) Error() string {
	if e.key == "" {
		return e.op + ": " + e.msg
	}
	return fmt.Sprintf("%s %q: %s", e.op, e.key, e.msg)
}

func (e *cmdError) Unwrap() error { return e.kind }

// interruptedOnly reports whether err says no more than that the command
// was interrupted: a cancellation, as the library wraps it or as an SDK
// words it.
func interruptedOnly(err error) bool {
	return errors.Is(err, context.Canceled) || strings.HasSuffix(err.Error(), "context canceled")
}

// kinds names the sentinels in --json error reports, so that scripts test
// a stable word rather than a message.
var kinds = []struct {
	err  error
	name string
}{
	{objstore.ErrNotFound, "not_found"},
	{objstore.ErrExist, "exist"},
	{objstore.ErrInvalidKey, "invalid_key"},
	{objstore.ErrInvalidArgument, "invalid_argument"},
	{objstore.ErrClosed, "closed"},
	{objstore.ErrNotSupported, "not_supported"},
	{objstore.ErrPermission, "permission"},
	{objstore.ErrUnavailable, "unavailable"},
	{objstore.ErrServerBusy, "server_busy"},
	{objstore.ErrTooLarge, "too_large"},
	{context.Canceled, "canceled"},
	{context.DeadlineExceeded, "deadline_exceeded"},
}

func errorKind(err error) string {
	var ue *usageError
	if errors.As(err, &ue) {
		return "usage"
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "error"
}

// libraryAdvice matches advice in library errors that names Go API (the
// library's errors are written for programmers) with what the command
// offers instead.
var libraryAdvice = regexp.MustCompile(`write streams with PutStreamObject, remove them with RemoveObjects\(ctx, "(.*?)/?"\)`)

// message is the text of err for a person: library errors already start
// with "objstore: ", others get it.
func message(err error) string {
	msg := libraryAdvice.ReplaceAllString(err.Error(), "write streams with 'objstore stream put', remove them with 'objstore stream rm $1'")
	if !strings.HasPrefix(msg, "objstore: ") && !strings.HasPrefix(msg, "objstore ") {
		msg = "objstore: " + msg
	}
	return msg
}

// reportError writes err to w: one line of text, or with --json one JSON
// object {"error", "kind", "exit"}.
func reportError(w io.Writer, err error, code int, asJSON bool, cmdPath string) {
	if asJSON {
		_ = json.NewEncoder(w).Encode(map[string]any{"error": message(err), "kind": errorKind(err), "exit": code})
		return
	}
	fmt.Fprintln(w, message(err))
	if code == exitUsage && cmdPath != "" {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}
