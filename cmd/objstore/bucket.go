package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// createParams is the URL query parameter with which each driver creates
// its bucket (or container) when it opens the store. The library has no
// bucket API of its own: opening with this parameter is the one way it
// offers, and file:// creates its directory on open.
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
	cmd := &cobra.Command{
		Use:   "rb [URL]",
		Short: "Remove an empty file:// store (its directory)",
		Long: `rb removes the store URL (else --url / $OBJSTORE_URL), which must be empty:
for a file:// store, its directory. Remove the objects first with
objstore rm --prefix ''.

Buckets and containers of network stores (minio://, s3://, gs://,
azblob://) cannot be removed by objstore: the library has no bucket
removal yet. Use the store's own tools (mc rb, aws s3 rb, gcloud storage
buckets delete, az storage container delete).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			rawURL := a.storeURL()
			if len(args) == 1 {
				rawURL = args[0]
			}
			ctx := cmd.Context()
			scheme, u := parseScheme(rawURL)
			c, err := a.openStore(ctx, "rb", rawURL, existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			dir, ok := fileDir(u)
			if scheme != "file" || !ok {
				return &cmdError{op: "rb", kind: objstore.ErrNotSupported, msg: fmt.Sprintf(
					"objstore cannot remove the bucket of a %s:// store (the library has no bucket removal); use the store's own tools", scheme)}
			}
			page, err := c.Backend().List(ctx, backend.ListOptions{PageSize: 1})
			if err != nil {
				return backend.NewError("rb", "", nil, err)
			}
			if len(page.Objects) > 0 {
				return &cmdError{op: "rb", kind: objstore.ErrExist, msg: fmt.Sprintf(
					"the store %s is not empty (it holds %q, ...): remove its objects first with 'objstore rm --prefix '' --force'",
					showURL(rawURL), page.Objects[0].Key)}
			}
			if err := os.Remove(dir); err != nil {
				return &localFileError{op: "rb", key: "", path: dir, verb: "removing", err: err}
			}
			return a.bucketDone("removed", rawURL)
		},
	}
	return cmd
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
