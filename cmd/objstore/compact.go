package main

import (
	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// compactJSON is the --json shape of stream compact.
type compactJSON struct {
	Name       string `json:"name"`
	objectJSON        // the destination
	Chunks     int    `json:"chunks"`
	FirstChunk int    `json:"first_chunk"`
	ServerSide bool   `json:"server_side"`
}

func (a *app) streamCompactCommand() *cobra.Command {
	var contentType string
	var meta []string
	var streaming, fromFirst bool
	cmd := &cobra.Command{
		Use:   "compact NAME DEST",
		Short: "Write the chunks of the closed stream NAME into one object DEST",
		Long: `stream compact writes the chunks of the stream object NAME, in order, into
the plain object DEST, atomically (readers see the old DEST or the whole
new one; on failure or Ctrl-C DEST is unchanged). The stream must be
closed: a stream in progress is refused, and so is a stream missing a
chunk below its last (a gap), or its first chunks unless
--from-first-chunk. The stream stays: remove it with 'objstore stream rm
NAME' once DEST is checked.

The store concatenates the chunks itself where it can (GCS; MinIO when
every chunk but the last holds at least 5 MiB); otherwise, or with
--streaming, the bytes pass through this command, one chunk at a time.
DEST gets the stream's metadata unless --meta is given.`,
		Example: `  objstore stream compact captures/eth0 captures/eth0.pcap
  objstore stream compact --content-type application/vnd.tcpdump.pcap captures/eth0 archive/eth0.pcap`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			name, dest := args[0], args[1]
			opts := objstore.CompactOptions{Streaming: streaming, FromFirstChunk: fromFirst}
			if _, err := backend.NormalizeContentType("compact stream", dest, contentType); err != nil {
				return &usageError{err: err}
			}
			opts.ContentType = contentType
			if len(meta) > 0 {
				if opts.Metadata, err = parseMeta(meta); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "stream compact", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			info, err := c.CompactStream(ctx, name, dest, opts)
			if err != nil {
				return err
			}
			if info.Key == "" {
				info.Key = dest
			}
			if a.asJSON {
				return a.emit(compactJSON{Name: name, objectJSON: infoJSON(info.ObjectInfo), Chunks: info.Chunks, FirstChunk: info.FirstChunk, ServerSide: info.ServerSide})
			}
			how := "streamed"
			if info.ServerSide {
				how = "server-side"
			}
			a.status(a.out, "compacted stream %s into %s (%s, %s, %s)\n", name, dest,
				plural(info.Chunks, "chunk"), plural(info.Size, "byte"), how)
			return nil
		},
	}
	cmd.Flags().StringVar(&contentType, "content-type", "", "MIME type of DEST (default application/octet-stream)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "user metadata KEY=VALUE of DEST, replacing the stream's (repeatable)")
	cmd.Flags().BoolVar(&streaming, "streaming", false, "pass the bytes through this command even where the store could compose them")
	cmd.Flags().BoolVar(&fromFirst, "from-first-chunk", false, "start at the lowest chunk that exists (the first ones expired)")
	return cmd
}
