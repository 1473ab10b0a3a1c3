package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

func (a *app) getCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get KEY [FILE|-]",
		Short: "Write the object KEY to a file, or to stdout with -",
		Long: `get writes the object KEY to FILE; without FILE, to a file named after
the key's last segment in the current directory; into a directory when
FILE is one; to stdout with -. The file is written atomically (a
temporary file renamed into place): it is never left half-written.`,
		Example: `  objstore get captures/a.pcap            # writes ./a.pcap
  objstore get captures/a.pcap /tmp/x.pcap
  objstore get captures/a.pcap - | tcpdump -r -`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: a.completeKeys(true),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, dest := args[0], ""
			if len(args) == 2 {
				dest = args[1]
			}
			ctx := cmd.Context()
			c, err := a.client(ctx)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			if dest == "-" {
				_, err = a.download(ctx, c, key, a.out)
				return err
			}
			target := localTarget(dest, key)
			var info backend.ObjectInfo
			err = writeLocal(target, func(w io.Writer) error {
				var err error
				info, err = a.download(ctx, c, key, w)
				return err
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
			a.status(a.out, "got %s -> %s (%d bytes)\n", key, target, info.Size)
			return nil
		},
	}
}

func (a *app) catCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "cat KEY",
		Short:             "Write the object KEY to stdout",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeKeys(false),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			c, err := a.client(ctx)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			_, err = a.download(ctx, c, args[0], a.out)
			return err
		},
	}
}

// download copies the object key to w, with a progress bar for large
// objects. A missing key that is a stream object says so.
func (a *app) download(ctx context.Context, c *objstore.Client, key string, w io.Writer) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("get", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	rc, info, err := c.Backend().Get(ctx, key, backend.WholeObject)
	if err != nil {
		return info, streamHint(ctx, c, key, err)
	}
	defer rc.Close()
	if info.Key == "" {
		info.Key = key
	}
	r, finish := a.track(rc, info.Size, "get "+key)
	n, err := io.Copy(w, r)
	finish(err == nil)
	if err != nil {
		return info, backend.NewError("get", key, nil, err)
	}
	if n != info.Size {
		return info, backend.NewError("get", key, objstore.ErrUnavailable, fmt.Errorf("read %d of %d bytes", n, info.Size))
	}
	return info, nil
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
	return fmt.Errorf("%w; %q is a stream object of %d chunks: read it with 'objstore stream get %s'", err, key, st.Chunks, key)
}
