package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

func (a *app) getCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "get KEY [FILE|-]",
		Short: "Write the object KEY to a file, or to stdout with -",
		Long: `get writes the object KEY to FILE; without FILE, to a file named after
the key's last segment in the current directory; into a directory when
FILE is one (or ends with /); to stdout with -. Missing parent
directories of FILE are created. An existing file is not overwritten
(exit 1) unless --force. The file is written atomically (a temporary
file moved into place): it is never left half-written, and a failed get
leaves nothing.`,
		Example: `  objstore get captures/a.pcap            # writes ./a.pcap
  objstore get captures/a.pcap /tmp/x.pcap
  objstore get --force captures/a.pcap     # replaces ./a.pcap
  objstore get captures/a.pcap - | tcpdump -r -`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: a.completeKeys(true),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, dest := args[0], ""
			if len(args) == 2 {
				dest = args[1]
			}
			if err := backend.ValidateKey("get", key); err != nil {
				return err
			}
			ctx := cmd.Context()
			target := ""
			if dest != "-" {
				target = localTarget(dest, key)
				if _, err := os.Lstat(target); err == nil && !force {
					return existsError("get", key, target)
				}
			}
			c, err := a.client(ctx, "get", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			rc, info, err := openObject(ctx, c, key)
			if err != nil {
				return err
			}
			defer rc.Close()
			if dest == "-" {
				return a.download(key, rc, info, a.out)
			}
			err = writeLocal("get", key, target, force, func(w io.Writer) error {
				return a.download(key, rc, info, w)
			})
			if err != nil {
				return err
			}
			if a.asJSON {
				j := infoJSON(info)
				return a.emit(struct {
					objectJSON
					File string `json:"file"`
				}{j, target})
			}
			a.status(a.out, "got %s -> %s (%s)\n", key, target, plural(info.Size, "byte"))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	return cmd
}

func (a *app) catCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "cat KEY",
		Short:             "Write the object KEY to stdout",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeKeys(false),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			c, err := a.client(ctx, "cat", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			rc, info, err := openObject(ctx, c, args[0])
			if err != nil {
				return err
			}
			defer rc.Close()
			return a.download(args[0], rc, info, a.out)
		},
	}
}

// openObject opens the object key for reading. A missing key that is a
// stream object says so.
func openObject(ctx context.Context, c *objstore.Client, key string) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.ValidateKey("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	rc, info, err := c.Backend().Get(ctx, key, backend.WholeObject)
	if err != nil {
		return nil, info, streamHint(ctx, c, key, err)
	}
	if info.Key == "" {
		info.Key = key
	}
	return rc, info, nil
}

// download copies the object key, open in rc, to w, with a progress bar
// for large objects.
func (a *app) download(key string, rc io.Reader, info backend.ObjectInfo, w io.Writer) error {
	r, finish := a.track(rc, info.Size, "get "+key)
	n, err := io.Copy(w, r)
	finish(err == nil)
	var le *localFileError
	if errors.As(err, &le) {
		return le // names the operation, the key and the file already
	}
	if err != nil {
		return backend.NewError("get", key, nil, err)
	}
	if n != info.Size {
		return backend.NewError("get", key, objstore.ErrUnavailable, fmt.Errorf("read %d of %d bytes", n, info.Size))
	}
	return nil
}

// streamHint adds to a not-found error of key that key is a stream object
// (which is read with stream get), when it is one.
func streamHint(ctx context.Context, c *objstore.Client, key string, err error) error {
	if !errors.Is(err, objstore.ErrNotFound) {
		return err
	}
	st, serr := c.StatObject(ctx, key)
	if serr != nil || !st.IsStream {
		return err
	}
	return fmt.Errorf("%w; %q is a stream object of %s: read it with 'objstore stream get %s'", err, key, plural(int64(st.Chunks), "chunk"), key)
}
