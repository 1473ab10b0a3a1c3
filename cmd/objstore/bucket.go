package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// createParams is the URL query parameter with which each driver creates
// its bucket (or container) when it opens the store: the library creates
// stores only on open (file:// creates its directory then), and removes
// them with objstore.RemoveStore (rb).
var createParams = map[string]string{
	"minio":  "create_bucket",
	"s3":     "create_bucket",
	"gs":     "create_bucket",
	"azblob": "create_container",
}

func (a *app) mbCommand() *cobra.Command {
	var ignoreExisting bool
	cmd := &cobra.Command{
		Use:   "mb [URL]",
		Short: "Make the store: create its bucket, container or directory",
		Long: `mb creates the store URL (else --url / $OBJSTORE_URL): the bucket of a
minio://, s3:// or gs:// URL, the container of an azblob:// URL, the
directory of a file:// URL (with its parents). A store that exists
already is an error (exit 1) unless --ignore-existing.`,
		Example: `  objstore mb file:///srv/objects
  objstore mb 'minio://KEY:SECRET@127.0.0.1:9000/captures'
  objstore mb --ignore-existing "$OBJSTORE_URL"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			ctx := cmd.Context()
			scheme, _ := parseScheme(rawURL)
			exists, err := a.storeExists(ctx, rawURL)
			if err != nil {
				return err
			}
			if exists {
				if ignoreExisting {
					return a.bucketDone("exists", rawURL)
				}
				return &cmdError{op: "mb", kind: objstore.ErrExist,
					msg: fmt.Sprintf("the store %s exists already (--ignore-existing makes that a success)", showURL(rawURL))}
			}
			openURL := rawURL
			if p, ok := createParams[scheme]; ok {
				sep := "?"
				if strings.Contains(rawURL, "?") {
					sep = "&"
				}
				openURL += sep + p + "=true"
			}
			c, err := a.openStore(ctx, "mb", openURL, createStore)
			if err != nil {
				return backend.NewError("mb", "", nil, err)
			}
			defer closeWith(c, &err)
			return a.bucketDone("made", rawURL)
		},
	}
	cmd.Flags().BoolVarP(&ignoreExisting, "ignore-existing", "p", false, "succeed when the store exists already")
	return cmd
}

// storeExists tells whether the store rawURL exists: its file:// directory,
// or a bucket that a listing of one key finds.
func (a *app) storeExists(ctx context.Context, rawURL string) (bool, error) {
	scheme, u := parseScheme(rawURL)
	if scheme == "file" {
		if dir, ok := fileDir(u); ok {
			_, err := os.Stat(dir)
			return err == nil, nil
		}
	}
	c, err := a.openStore(ctx, "mb", rawURL, existingStore)
	if err != nil {
		return false, err
	}
	defer c.Close()
	_, err = c.Backend().List(ctx, backend.ListOptions{PageSize: 1})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, objstore.ErrNotFound):
		return false, nil
	default:
		return false, backend.NewError("mb", "", nil, err)
	}
}

func (a *app) rbCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rb [URL]",
		Short: "Remove the store: its bucket, container or directory",
		Long: `rb removes the store URL (else --url / $OBJSTORE_URL): the bucket of a
minio://, s3:// or gs:// URL, the container of an azblob:// URL, the
directory of a file:// URL. The store must be empty: one that holds
objects is refused (exit 1) and left as it is, unless --force, which
first removes every object in it (as 'objstore rm --prefix '' --force'
does, without asking) and then the store. A store that does not exist
is an error (exit 1).`,
		Example: `  objstore rb file:///srv/objects
  objstore rb 'minio://KEY:SECRET@127.0.0.1:9000/captures'
  objstore rb --force "$OBJSTORE_URL"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			if err := checkStore("rb", rawURL, existingStore); err != nil {
				return err
			}
			ctx := cmd.Context()
			err := objstore.RemoveStore(ctx, rawURL)
			removed := 0
			if force && errors.Is(err, objstore.ErrExist) {
				if removed, err = a.emptyStore(ctx, rawURL); err != nil {
					return err
				}
				err = objstore.RemoveStore(ctx, rawURL)
			}
			if err != nil {
				return a.rbError(ctx, rawURL, err)
			}
			if a.asJSON {
				return a.emit(map[string]any{"url": showURL(rawURL), "result": "removed", "objects_removed": removed})
			}
			if removed > 0 {
				a.status(a.out, "removed %s and store %s\n", plural(removed, "object"), showURL(rawURL))
				return nil
			}
			return a.bucketDone("removed", rawURL)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove every object in the store first")
	return cmd
}

// emptyStore removes every object of the store rawURL (for rb --force)
// and returns how many there were.
func (a *app) emptyStore(ctx context.Context, rawURL string) (n int, err error) {
	c, err := a.openStore(ctx, "rb", rawURL, existingStore)
	if err != nil {
		return 0, err
	}
	defer closeWith(c, &err)
	for _, err := range c.Objects(ctx, "") {
		if err != nil {
			return 0, backend.NewError("rb", "", nil, err)
		}
		n++
	}
	if err := c.RemoveObjects(ctx, ""); err != nil {
		return 0, backend.NewError("rb", "", nil, err)
	}
	return n, nil
}

// rbError words a failed removal of the store rawURL for the command:
// what is wrong, with the library's reason, and what to do. The error
// still matches the library's sentinels (exit code, --json kind).
func (a *app) rbError(ctx context.Context, rawURL string, err error) error {
	reason := err.Error()
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		reason = be.Err.Error()
	}
	switch {
	case errors.Is(err, objstore.ErrExist):
		holds := ""
		if key := a.firstKey(ctx, rawURL); key != "" && !strings.Contains(reason, strconv.Quote(key)) {
			holds = fmt.Sprintf(" (it holds %q, ...)", key)
		}
		return &cmdError{op: "rb", kind: err, msg: fmt.Sprintf(
			"the store %s is not empty%s: nothing removed; remove its objects first with 'objstore rm --prefix '' --force', "+
				"or remove them with the store: 'objstore rb --force %s' (%s)", showURL(rawURL), holds, showURL(rawURL), reason)}
	case errors.Is(err, objstore.ErrNotFound):
		return &cmdError{op: "rb", kind: err, msg: fmt.Sprintf("no store at %s: nothing to remove (%s)", showURL(rawURL), reason)}
	case errors.Is(err, objstore.ErrNotSupported):
		return &cmdError{op: "rb", kind: err, msg: fmt.Sprintf(
			"objstore cannot remove the store %s: %s", showURL(rawURL), reason)}
	}
	return backend.NewError("rb", "", nil, err)
}

// firstKey is the first key of the store rawURL, or "" when it has none
// or cannot be listed: a hint for an error, never an error itself.
func (a *app) firstKey(ctx context.Context, rawURL string) string {
	c, err := a.open(ctx, rawURL)
	if err != nil {
		return ""
	}
	defer c.Close()
	page, err := c.Backend().List(ctx, backend.ListOptions{PageSize: 1})
	if err != nil || len(page.Objects) == 0 {
		return ""
	}
	return page.Objects[0].Key
}

// bucketDone reports what mb or rb did: "made", "exists" or "removed".
func (a *app) bucketDone(what, rawURL string) error {
	if a.asJSON {
		return a.emit(map[string]any{"url": showURL(rawURL), "result": what})
	}
	switch what {
	case "made":
		a.status(a.out, "made store %s\n", showURL(rawURL))
	case "exists":
		a.status(a.out, "store %s exists already\n", showURL(rawURL))
	case "removed":
		a.status(a.out, "removed store %s\n", showURL(rawURL))
	}
	return nil
}
