package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// defaultChunkSize is the largest block stream put reads from stdin into
// one chunk.
const defaultChunkSize = "1MiB"

func (a *app) streamCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stream",
		Short: "Write or read stream objects (one chunk object per block)",
		Long: `A stream object NAME is a sequence of chunk objects NAME/BASE.0,
NAME/BASE.1, ... (BASE is NAME's last segment) plus, while its writer is
open, the marker NAME/.inprogress. See docs/streams.md.`,
	}
	cmd.AddCommand(a.streamPutCommand(), a.streamGetCommand(), a.streamLsCommand(), a.streamRmCommand())
	cmd.AddCommand(a.streamCompactCommand())
	return cmd
}

func (a *app) streamPutCommand() *cobra.Command {
	var chunkSize string
	var lines bool
	var meta []string
	cmd := &cobra.Command{
		Use:   "put NAME",
		Short: "Write stdin to the stream object NAME, one chunk per block",
		Long: `stream put reads stdin until end of file and stores each block as one
more chunk of the stream object NAME, durable before the next block is
read. A block is what one read of stdin returns, at most --chunk-size
bytes: data from a live producer becomes a chunk as soon as it arrives,
a file is cut into chunks of --chunk-size. With --lines each line (up to
--chunk-size bytes; longer lines are split) is one chunk.

At end of input the stream is closed (its marker removed) and readers
following it end. On SIGINT or SIGTERM, stream put keeps reading what the
producer still sends until end of input, for at most 3 seconds. If it
dies, or a chunk fails to store, the stream stays in progress: running
stream put NAME again resumes after its last chunk.`,
		Example: `  tcpdump -i eth0 -w - | objstore stream put captures/eth0
  tail -f app.log | objstore stream put --lines logs/app`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			name := args[0]
			size, err := parseSize("--chunk-size", chunkSize)
			if err != nil {
				return err
			}
			if size > 1<<30 {
				return usagef("--chunk-size %s: at most 1GiB", chunkSize)
			}
			md, err := parseMeta(meta)
			if err != nil {
				return err
			}
			// A signal ends the input, not the stream: the chunks that the
			// producer flushes on its way out are still stored, and the
			// stream is closed cleanly (main bounds the time this takes).
			ctx := context.WithoutCancel(cmd.Context())
			c, err := a.client(ctx, "stream put", createStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			w, err := c.PutStreamObject(ctx, name, md)
			if err != nil {
				return closedStreamHint(ctx, c, name, err)
			}
			chunks, total, err := copyBlocks(w, a.in, int(size), lines)
			if err != nil {
				// The writer is left open on purpose: the marker stays, the
				// stream is in progress and can be resumed.
				return fmt.Errorf("%w (the stream %q stays in progress after %s; run 'objstore stream put %s' again to resume)",
					err, name, plural(chunks, "chunk"), name)
			}
			if err := w.Close(); err != nil {
				return err
			}
			if a.asJSON {
				return a.emit(map[string]any{"name": name, "chunks": chunks, "size": total})
			}
			a.status(a.out, "stream %s: %s, %s\n", name, plural(chunks, "chunk"), plural(total, "byte"))
			return nil
		},
	}
	cmd.Flags().StringVar(&chunkSize, "chunk-size", defaultChunkSize, "largest chunk, in bytes (e.g. 65536, 64KiB, 1MiB)")
	cmd.Flags().BoolVar(&lines, "lines", false, "one chunk per line of input")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "user metadata KEY=VALUE of the stream (repeatable)")
	return cmd
}

// closedStreamHint replaces the error of a stream put on a closed stream
// with what to do about it in the command: a closed stream cannot be
// written again.
func closedStreamHint(ctx context.Context, c *objstore.Client, name string, err error) error {
	if !errors.Is(err, objstore.ErrExist) {
		return err
	}
	st, serr := c.StatObject(ctx, name)
	if serr != nil || !st.IsStream || st.InProgress {
		return err
	}
	return backend.NewError("stream put", name, objstore.ErrExist, fmt.Errorf(
		"the stream was closed (%s, %s) and cannot be written again: remove it with 'objstore stream rm %s' "+
			"and write it anew, or write to another name", plural(st.Chunks, "chunk"), plural(st.Size, "byte"), name))
}

// copyBlocks writes the blocks of r to w, one Write per block, and returns
// the number of blocks and bytes written. Empty reads make no chunk.
func copyBlocks(w io.Writer, r io.Reader, size int, lines bool) (chunks int, total int64, err error) {
	write := func(p []byte) error {
		if len(p) == 0 {
			return nil
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
		chunks++
		total += int64(len(p))
		return nil
	}
	if lines {
		// bufio has a minimum buffer size; lines are cut to size below.
		br := bufio.NewReaderSize(r, size)
		for {
			line, rerr := br.ReadSlice('\n')
			for len(line) > 0 {
				n := min(len(line), size)
				if err := write(line[:n]); err != nil {
					return chunks, total, err
				}
				line = line[n:]
			}
			switch {
			case rerr == nil, errors.Is(rerr, bufio.ErrBufferFull):
			case rerr == io.EOF:
				return chunks, total, nil
			default:
				return chunks, total, fmt.Errorf("reading stdin: %w", rerr)
			}
		}
	}
	buf := make([]byte, size)
	for {
		n, rerr := r.Read(buf)
		if err := write(buf[:n]); err != nil {
			return chunks, total, err
		}
		switch {
		case rerr == nil:
		case rerr == io.EOF:
			return chunks, total, nil
		default:
			return chunks, total, fmt.Errorf("reading stdin: %w", rerr)
		}
	}
}

func (a *app) streamGetCommand() *cobra.Command {
	var from int
	var follow, wait bool
	var since string
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Write the chunks of the stream object NAME to stdout",
		Long: `stream get writes the chunks of the stream object NAME to stdout, in
order, from chunk --from (default 0). Without --follow it writes the
chunks that exist now and ends. With --follow it follows a live stream
like tail -f: it waits for each next chunk and ends when the writer
closes the stream (or on SIGINT). With --wait it also waits for a stream
that does not exist yet to start, like tail -F.

--since starts at the first chunk written at or after a time: a duration
back from now (10m, 1h30m) or an RFC 3339 time (2026-12-04T10:05:00Z).
Times are the store's, to the second; it lists the stream's chunks once
and reads no body to find the place.`,
		Example: `  objstore stream get captures/eth0 > eth0.pcap
  objstore stream get --follow logs/app
  objstore stream get --since 10m captures/eth0 > last10min.pcap
  objstore stream get --follow --wait logs/next-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			name := args[0]
			if from < 0 {
				return usagef("--from %d: chunk indexes start at 0", from)
			}
			if wait && !follow {
				return usagef("--wait waits for a stream to start and follows it: use it with --follow")
			}
			var sinceTime time.Time
			if since != "" {
				if cmd.Flags().Changed("from") {
					return usagef("--since and --from both choose the first chunk: give one")
				}
				if sinceTime, err = parseSince(since, time.Now()); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "stream get", existingStore)
			for wait && errors.Is(err, objstore.ErrNotFound) {
				// --wait waits for the stream to start, and so for a
				// file:// store that its writer has yet to create.
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(250 * time.Millisecond):
				}
				c, err = a.client(ctx, "stream get", existingStore)
			}
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			var opts []objstore.StreamReadOption
			if wait {
				opts = append(opts, objstore.WaitForStart())
			}
			if since != "" {
				if follow {
					rc, err := c.OpenStreamSince(ctx, name, sinceTime, opts...)
					if err != nil {
						return err
					}
					return a.copyReader(name, rc)
				}
				if from, err = c.ChunkAt(ctx, name, sinceTime); err != nil {
					return err
				}
			}
			if follow {
				return a.copyStream(ctx, c, name, from, opts...)
			}
			st, err := c.StatObject(ctx, name)
			if err != nil {
				return err
			}
			if !st.IsStream {
				return backend.NewError("get stream", name, objstore.ErrNotFound,
					fmt.Errorf("%q is an object, not a stream object: read it with 'objstore get %s -'", name, name))
			}
			if !st.InProgress {
				if from >= st.Chunks {
					return nil
				}
				return a.copyStream(ctx, c, name, from)
			}
			// In progress: the chunks that exist now, without waiting for more.
			for n := from; n < st.Chunks; n++ {
				if err := a.copyChunk(ctx, c, name, n); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&from, "from", 0, "first chunk to write (a chunk index)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "wait for new chunks until the writer closes the stream")
	cmd.Flags().BoolVar(&wait, "wait", false, "with --follow: wait for a stream that does not exist yet to start")
	cmd.Flags().StringVar(&since, "since", "", "start at the first chunk written at or after this time: a duration back from now (10m) or an RFC 3339 time")
	return cmd
}

// parseSince reads --since: a duration back from now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, usagef("--since %s: give a positive duration back from now (10m)", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--since %q: give a duration back from now (10m, 1h30m) or an RFC 3339 time (2026-12-04T10:05:00Z)", s)
}

// copyStream writes the stream from chunk from to stdout, following a live
// writer, until the stream ends.
func (a *app) copyStream(ctx context.Context, c *objstore.Client, name string, from int, opts ...objstore.StreamReadOption) error {
	rc, err := c.OpenStream(ctx, name, from, opts...)
	if err != nil {
		return err
	}
	return a.copyReader(name, rc)
}

// copyReader writes a stream reader to stdout and closes it.
func (a *app) copyReader(name string, rc io.ReadCloser) error {
	defer rc.Close()
	if _, err := io.Copy(a.out, rc); err != nil {
		return backend.NewError("get stream", name, nil, err)
	}
	return nil
}

func (a *app) copyChunk(ctx context.Context, c *objstore.Client, name string, n int) error {
	rc, err := c.GetStreamObjectAtOffset(ctx, name, n)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.Copy(a.out, rc); err != nil {
		return backend.NewError("get stream", name, nil, fmt.Errorf("chunk %d: %w", n, err))
	}
	return nil
}
