package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/objstore-dev/objstore/backend"
)

// CompactOptions tunes CompactStream. The zero value means: the stream's
// metadata, the default content type, server-side where the store can.
type CompactOptions struct {
	// ContentType of the destination; empty means application/octet-stream
	// (chunks have no content type of their own).
	ContentType string
	// Metadata of the destination; nil means the stream's (its first
	// chunk's). An empty, non-nil map stores none.
	Metadata map[string]string
	// Streaming makes the bytes pass through the client even when the
	// backend could compose the chunks on the server.
	Streaming bool
	// FromFirstChunk compacts from the lowest chunk that exists, for a
	// stream whose first chunks expired or were removed on purpose.
	// Without it a stream that lacks chunk 0 is refused like any gap.
	FromFirstChunk bool
}

// CompactInfo describes the object CompactStream wrote.
type CompactInfo struct {
	backend.ObjectInfo      // of the destination object, as the put or compose returned it
	Chunks             int  // number of chunks compacted
	FirstChunk         int  // index of the first chunk compacted (0 unless FromFirstChunk)
	ServerSide         bool // the store composed the chunks (backend.Composer); false: streamed through the client
}

// CompactStream writes the chunks of the closed stream name, in index
// order, into one plain object dest, and returns its info. The stream is
// left as it is: remove it with RemoveStream once the object is checked.
//
// The stream must be closed: a stream in progress (its marker exists) is
// refused with ErrInvalidArgument, since its writer may add chunks. A
// stream that does not exist, or that has a gap (a chunk missing below its
// last, chunk 0 included unless opts.FromFirstChunk), is ErrNotFound
// naming the first missing chunk. dest is checked like PutObject's key
// (the keys of stream objects are reserved) and must not be name itself.
//
// How: when the backend is a backend.Composer (GCS; fs on Linux with
// copy_file_range; MinIO and the s3 driver when every chunk but the last
// holds at least 5 MiB) the store concatenates the chunks
// itself and no byte passes through the client; otherwise, or when
// Compose answers ErrNotSupported, or with opts.Streaming, the client
// streams them: one Put of dest whose size is the sum of the listed chunk
// sizes and whose reader opens each chunk in turn, only when the previous
// one is read to its end, so memory does not grow with the stream. Either
// way dest is written atomically (no reader sees a partial object; on an
// error dest is unchanged). The chunks are found by listing NAME/BASE.
// (one List per 1000 chunks), after one Stat of the marker and one of the
// first chunk (for its metadata).
func (c *Client) CompactStream(ctx context.Context, name, dest string, opts CompactOptions) (CompactInfo, error) {
	const op = "compact stream"
	k, err := newStreamKeys(op, name)
	if err != nil {
		return CompactInfo{}, err
	}
	if err := backend.ValidateKey(op, dest); err != nil {
		return CompactInfo{}, err
	}
	if err := reservedKeyError(op, dest); err != nil {
		return CompactInfo{}, err
	}
	if dest == name {
		return CompactInfo{}, backend.NewError(op, dest, ErrInvalidArgument, fmt.Errorf(
			"the destination is the stream's own name %q; an object there would hide the stream (and fs and MinIO cannot hold both): choose another key", name))
	}
	var md map[string]string
	if opts.Metadata != nil {
		if md, err = backend.NormalizeMetadata(op, dest, opts.Metadata); err != nil {
			return CompactInfo{}, err
		}
	}
	ct, err := backend.NormalizeContentType(op, dest, opts.ContentType)
	if err != nil {
		return CompactInfo{}, err
	}

	// The marker first, then the listing: a writer that stores a chunk
	// and closes in between is seen in progress, never closed with a
	// chunk missing.
	if _, err := c.statMarker(ctx, k); err == nil {
		return CompactInfo{}, backend.NewError(op, name, ErrInvalidArgument, fmt.Errorf(
			"the stream is in progress (its marker %q exists): a writer may still add chunks; close the writer (or resume it with PutStreamObject and Close) before compacting", k.marker))
	} else if !errors.Is(err, ErrNotFound) {
		return CompactInfo{}, backend.NewError(op, name, nil, err)
	}
	type chunk struct {
		n    int
		info backend.ObjectInfo
	}
	var chunks []chunk
	if err := c.scanChunks(ctx, k, func(n int, o backend.ObjectInfo) bool {
		chunks = append(chunks, chunk{n, backend.ObjectInfo{Key: o.Key, Size: o.Size}})
		return true
	}); err != nil {
		return CompactInfo{}, backend.NewError(op, name, nil, err)
	}
	if len(chunks) == 0 {
		return CompactInfo{}, backend.NewError(op, name, ErrNotFound, fmt.Errorf("no stream object of that name (no chunk %q...)", k.chunkPrefix))
	}
	slices.SortFunc(chunks, func(a, b chunk) int { return a.n - b.n })
	first := 0
	if opts.FromFirstChunk {
		first = chunks[0].n
	}
	last := chunks[len(chunks)-1].n
	for i, ch := range chunks {
		if want := first + i; ch.n != want {
			return CompactInfo{}, backend.NewError(op, k.chunk(want), ErrNotFound, fmt.Errorf(
				"stream %q is missing chunk %d although it has chunks up to %d (removed or expired); it cannot be compacted whole%s",
				name, want, last, gapHint(want == 0 && !opts.FromFirstChunk)))
		}
	}
	srcs := make([]backend.ObjectInfo, len(chunks))
	var total int64
	for i, ch := range chunks {
		srcs[i] = ch.info
		total += ch.info.Size
	}
	if md == nil && opts.Metadata == nil {
		// Listings need not carry metadata: ask the first chunk itself.
		info, err := c.b.Stat(ctx, srcs[0].Key)
		if err != nil {
			return CompactInfo{}, backend.NewError(op, name, nil, err)
		}
		md = info.Metadata
	}
	popts := backend.PutOptions{Size: total, ContentType: ct, Metadata: md}
	res := CompactInfo{Chunks: len(srcs), FirstChunk: first}

	if comp, ok := backend.As[backend.Composer](c.b); ok && !opts.Streaming {
		info, err := comp.Compose(ctx, dest, srcs, popts)
		switch {
		case err == nil:
			if info.Size != total {
				// The put path checks the size; a compose must be held to
				// the same.
				return CompactInfo{}, backend.NewError(op, dest, nil, fmt.Errorf(
					"the store composed %d bytes where the chunks listed %d; a chunk changed during the compaction", info.Size, total))
			}
			res.ObjectInfo, res.ServerSide = info, true
			return res, nil
		case !errors.Is(err, ErrNotSupported):
			return CompactInfo{}, backend.NewError(op, name, nil, err)
		}
		c.log.Debug("objstore: compacting through the client: the store cannot compose these chunks", "stream", name, "reason", err)
	}
	r := &chunksReader{ctx: ctx, b: c.b, srcs: srcs}
	defer r.Close()
	info, err := c.b.Put(ctx, dest, r, popts)
	if err != nil {
		return CompactInfo{}, backend.NewError(op, name, nil, err)
	}
	res.ObjectInfo = info
	return res, nil
}

func gapHint(head bool) string {
	if head {
		return " (CompactOptions.FromFirstChunk compacts from the lowest chunk that exists)"
	}
	return ""
}

// chunksReader reads the objects srcs one after the other, opening each
// only when the previous one is read to its end, so one chunk's body is
// open at a time. A chunk that delivers fewer or more bytes than listed
// is an error (chunks are written once, so only a removed or replaced
// chunk can do that).
type chunksReader struct {
	ctx  context.Context
	b    backend.Backend
	srcs []backend.ObjectInfo
	i    int           // the chunk cur reads
	cur  io.ReadCloser // nil between chunks
	left int64         // bytes still expected from cur
}

func (r *chunksReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if r.i >= len(r.srcs) {
				return 0, io.EOF
			}
			src := r.srcs[r.i]
			rc, _, err := get(r.ctx, r.b, src.Key, backend.WholeObject)
			if err != nil {
				return 0, err
			}
			r.cur, r.left = rc, src.Size
		}
		if len(p) == 0 {
			return 0, nil
		}
		n, err := r.cur.Read(p[:min(int64(len(p)), r.left+1)])
		r.left -= int64(n)
		if r.left < 0 {
			return 0, backend.NewError("compact stream", r.srcs[r.i].Key, nil,
				fmt.Errorf("the chunk holds more than the %d bytes it was listed with: it was replaced during the compaction", r.srcs[r.i].Size))
		}
		if err == io.EOF {
			if r.left > 0 {
				return 0, backend.NewError("compact stream", r.srcs[r.i].Key, nil,
					fmt.Errorf("the chunk ended %d bytes short of the %d it was listed with: it was replaced during the compaction", r.left, r.srcs[r.i].Size))
			}
			_ = r.cur.Close()
			r.cur = nil
			r.i++
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			return n, backend.NewError("compact stream", r.srcs[r.i].Key, nil, err)
		}
		if n > 0 || r.left > 0 {
			return n, nil
		}
		// The chunk's listed bytes are all read: see its end before the
		// next chunk.
	}
}

// Close closes the chunk being read, if any.
func (r *chunksReader) Close() error {
	if r.cur != nil {
		err := r.cur.Close()
		r.cur = nil
		return err
	}
	return nil
}
