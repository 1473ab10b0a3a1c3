package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// access says what a command may do to a store that does not exist yet.
type access int

const (
	// existingStore: the command reads or changes a store that must
	// exist already (ls, get, cat, stat, rm, stream get/ls/rm, health,
	// cp from, watch, presign, rb, conformance). It never creates one: a
	// typo in a URL must not make an empty directory that then looks like
	// an empty store.
	existingStore access = iota
	// createStore: the command stores objects (put, cp to, stream put)
	// or makes the store (mb): a file:// store that is missing is
	// created. Network stores are never created implicitly: that is mb.
	createStore
)

// memScheme is the scheme of the in-memory driver, which the command
// refuses but for conformance.
const memScheme = "mem"

// openStore opens the store rawURL for the operation op (a command name,
// for errors). Before the library opens it:
//
//   - a URL without a scheme, or with one that no driver registered, is a
//     usage error that lists the schemes there are;
//   - mem:// is a usage error but for conformance: its objects die with
//     the process, so whatever a command stores there is lost;
//   - a file:// store whose directory is missing is an error (exit 1)
//     naming the URL and how to create it, unless mode is createStore.
func (a *app) openStore(ctx context.Context, op, rawURL string, mode access) (*objstore.Client, error) {
	if err := checkStore(op, rawURL, mode); err != nil {
		return nil, err
	}
	return a.open(ctx, rawURL)
}

// checkStore makes the checks of openStore that come before the library
// opens the store, for commands that reach a store without opening it
// (rb).
func checkStore(op, rawURL string, mode access) error {
	scheme, u := parseScheme(rawURL)
	known := slices.DeleteFunc(backend.Schemes(), func(s string) bool { return s == memScheme })
	switch {
	case scheme == "" && !strings.Contains(rawURL, ":"):
		dirURL := "file://./" + strings.TrimPrefix(filepath.ToSlash(rawURL), "./")
		if filepath.IsAbs(rawURL) {
			dirURL = "file://" + filepath.ToSlash(rawURL)
		}
		return usagef("%s: store URL %q has no scheme: for that local directory write %s; the schemes are %s",
			op, rawURL, dirURL, strings.Join(known, ", "))
	case scheme == memScheme && op != "conformance":
		return usagef("%s: %s keeps objects in the memory of one objstore process: they are gone when the command exits, "+
			"so nothing stored there can be read back; use a store that lasts (file://./dir, minio://, s3://, gs://, azblob://). "+
			"mem:// is accepted only by 'objstore conformance'", op, showURL(rawURL))
	case scheme != "" && !slices.Contains(backend.Schemes(), scheme):
		return usagef("%s: unknown URL scheme %q in %s: objstore opens %s (see 'objstore version'); "+
			"write file://./dir for a local directory", op, scheme, showURL(rawURL), strings.Join(known, ", "))
	case scheme == "file" && mode == existingStore:
		if dir, ok := fileDir(u); ok {
			if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
				return &cmdError{op: op, kind: objstore.ErrNotFound, msg: fmt.Sprintf(
					"no store at %s: the directory %s does not exist; create it with 'objstore mb %s' "+
						"(put, cp and stream put create it too), or choose another store with --url or $%s",
					showURL(rawURL), dir, showURL(rawURL), envURL)}
			}
		}
	}
	return nil
}

// parseScheme returns the lower-cased scheme of rawURL and the parsed URL
// (nil when it does not parse: the library then says why).
func parseScheme(rawURL string) (string, *url.URL) {
	u, err := url.Parse(rawURL)
	if err != nil {
		i := strings.Index(rawURL, "://")
		if i <= 0 {
			return "", nil
		}
		return strings.ToLower(rawURL[:i]), nil
	}
	return strings.ToLower(u.Scheme), u
}

// fileDir is the directory that a file:// URL names, as backend/fs reads
// it (file:///abs, file://localhost/abs, file://./rel, file://../rel);
// ok is false for a URL it would refuse, which the library then reports.
func fileDir(u *url.URL) (dir string, ok bool) {
	if u == nil || u.Opaque != "" || u.User != nil {
		return "", false
	}
	switch u.Host {
	case "", "localhost":
		if u.Path == "" {
			return "", false
		}
		return filepath.FromSlash(u.Path), true
	case ".":
		if u.Path == "" {
			return ".", true
		}
		return filepath.FromSlash("." + u.Path), true
	case "..":
		return filepath.FromSlash(".." + u.Path), true
	}
	return "", false
}
