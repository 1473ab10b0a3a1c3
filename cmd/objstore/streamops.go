package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

func (a *app) streamLsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ls [PREFIX]",
		Short: "List the stream objects whose names start with PREFIX",
		Long: `stream ls lists the stream objects under PREFIX, one per line, by name:
whether a writer is open ("live") or it is closed, its chunk count, first
and last chunk index, total size in bytes and last write time (RFC 3339,
UTC). It reads one listing of PREFIX and no chunk body.
--json prints one object per line: {"name","in_progress","chunks",
"first_chunk","last_chunk","size","last_modified"}.`,
		Example: `  objstore stream ls captures/`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "stream ls", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			for s, err := range c.Streams(ctx, prefix) {
				if err != nil {
					return err
				}
				if a.asJSON {
					if err := a.emit(map[string]any{
						"name": s.Name, "in_progress": s.InProgress, "chunks": s.Chunks,
						"first_chunk": s.FirstChunk, "last_chunk": s.LastChunk,
						"size": s.Size, "last_modified": timeText(s.LastModified),
					}); err != nil {
						return err
					}
					continue
				}
				state := "closed"
				if s.InProgress {
					state = "live"
				}
				fprintf(a.out, "%-6s  %15s  %8s  %12d  %-20s  %s\n", state, plural(s.Chunks, "chunk"), chunkRange(s), s.Size, timeText(s.LastModified), s.Name)
			}
			return nil
		},
	}
}

// chunkRange is "first-last" or "-" for a stream without chunks.
func chunkRange(s objstore.StreamInfo) string {
	if s.Chunks == 0 {
		return "-"
	}
	return fmt.Sprintf("%d-%d", s.FirstChunk, s.LastChunk)
}

func (a *app) streamRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove the stream object NAME (its chunks and marker, nothing else)",
		Long: `stream rm removes exactly one stream object: its chunks NAME/BASE.N and
its marker NAME/.inprogress, and nothing else (not NAME/notes.txt, not
NAMEx, not a stream nested under NAME/). A name that is no stream is an
error (exit 1). Stop the stream's writer first: a writer still running
fails at its next write and may leave that one chunk.`,
		Example: `  objstore stream rm captures/eth0`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			name := args[0]
			ctx := cmd.Context()
			c, err := a.client(ctx, "stream rm", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			removed, err := c.RemoveStream(ctx, name)
			if err != nil {
				return err
			}
			if removed == 0 {
				return backend.NewError("remove stream", name, objstore.ErrNotFound, errors.New("no stream object of that name"))
			}
			if a.asJSON {
				return a.emit(map[string]any{"name": name, "removed": removed})
			}
			a.status(a.out, "removed stream %s (%s)\n", name, plural(removed, "object"))
			return nil
		},
	}
}
