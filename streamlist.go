package objstore

import (
	"context"
	"errors"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// StreamInfo describes one stream object, as Streams finds it in a
// listing: no chunk body is read.
type StreamInfo struct {
	Name         string    // the stream's name
	InProgress   bool      // its marker exists: a writer is open (or died)
	Chunks       int       // number of chunks
	FirstChunk   int       // lowest chunk index (-1 without chunks)
	LastChunk    int       // highest chunk index (-1 without chunks)
	Size         int64     // bytes of all chunks
	LastModified time.Time // of the newest chunk, or of the marker without chunks
}

// Streams lists the stream objects under prefix (every stream whose name
// starts with prefix, nested ones included), ordered by name, from one
// listing of prefix: ceil(keys/1000) List requests and no chunk body.
// Plain objects are not reported. Memory grows with the number of
// streams, not of chunks.
func (c *Client) Streams(ctx context.Context, prefix string) iter.Seq2[StreamInfo, error] {
	return func(yield func(StreamInfo, error) bool) {
		found := map[string]*StreamInfo{}
		for o, err := range c.Objects(ctx, prefix) {
			if err != nil {
				yield(StreamInfo{}, backend.NewError("list streams", prefix, nil, err))
				return
			}
			name, n, ok := parseStreamKey(o.Key)
			if !ok || (n < 0 && !isMarker(o)) {
				continue
			}
			s := found[name]
			if s == nil {
				s = &StreamInfo{Name: name, FirstChunk: -1, LastChunk: -1}
				found[name] = s
			}
			if n < 0 {
				s.InProgress = true
				if s.Chunks == 0 {
					s.LastModified = o.LastModified
				}
				continue
			}
			if s.Chunks == 0 || o.LastModified.After(s.LastModified) {
				s.LastModified = o.LastModified
			}
			s.Chunks++
			s.Size += o.Size
			if s.FirstChunk < 0 || n < s.FirstChunk {
				s.FirstChunk = n
			}
			s.LastChunk = max(s.LastChunk, n)
		}
		names := make([]string, 0, len(found))
		for name := range found {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if !yield(*found[name], nil) {
				return
			}
		}
	}
}

// ListStreams returns every stream object under prefix (see Streams).
func (c *Client) ListStreams(ctx context.Context, prefix string) ([]StreamInfo, error) {
	var out []StreamInfo
	for s, err := range c.Streams(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// parseStreamKey tells a stream's key from any other: for a chunk it
// returns the stream's name and the chunk index, for a marker the name and
// -1; ok is false for every other key.
func parseStreamKey(key string) (name string, n int, ok bool) {
	name, what, ok := streamKeyOf(key)
	if !ok {
		return "", 0, false
	}
	if what == "the marker" {
		return name, -1, true
	}
	k := streamKeys{name: name, chunkPrefix: name + "/" + name[strings.LastIndexByte(name, '/')+1:] + "."}
	return name, k.chunkIndex(key), true
}

// ChunkAt returns the index of the first chunk of the stream name written
// at or after t, found from the chunks' modification times in one listing
// of the stream's chunks (ceil(chunks/1000) List requests: 100 for a
// 100,000-chunk stream) and a binary search, without reading a body.
// Stores keep modification times to the second (S3, MinIO) or better, so
// t is taken to the second: a chunk written in t's second counts, even a
// little before t. When every chunk is older than t, it returns the index
// after the last chunk: a follower opened there waits for the next one.
// A stream without chunks and without a marker is ErrNotFound.
func (c *Client) ChunkAt(ctx context.Context, name string, t time.Time) (int, error) {
	const op = "seek stream"
	k, err := newStreamKeys(op, name)
	if err != nil {
		return 0, err
	}
	type chunk struct {
		n  int
		at time.Time
	}
	var chunks []chunk
	if err := c.scanChunks(ctx, k, func(n int, o backend.ObjectInfo) bool {
		chunks = append(chunks, chunk{n, o.LastModified})
		return true
	}); err != nil {
		return 0, backend.NewError(op, name, nil, err)
	}
	if len(chunks) == 0 {
		if _, err := c.statMarker(ctx, k); err != nil {
			if errors.Is(err, ErrNotFound) {
				return 0, backend.NewError(op, name, ErrNotFound, errors.New("no stream object of that name"))
			}
			return 0, backend.NewError(op, name, nil, err)
		}
		return c.firstChunk(ctx, k)
	}
	// Listings are in key order, not index order.
	slices.SortFunc(chunks, func(a, b chunk) int { return a.n - b.n })
	since := t.Truncate(time.Second)
	i, _ := slices.BinarySearchFunc(chunks, since, func(c chunk, t time.Time) int {
		if c.at.Before(t) {
			return -1
		}
		return 1 // never 0: find the first chunk at or after t
	})
	if i == len(chunks) {
		return chunks[len(chunks)-1].n + 1, nil
	}
	return chunks[i].n, nil
}

// OpenStreamSince opens a reader of the stream name from the first chunk
// written at or after t (see ChunkAt), like OpenStream: "packets since
// 10:05". When every chunk is older than t and the stream is in progress,
// the reader waits for the next chunk; when it is closed, ErrNotFound.
func (c *Client) OpenStreamSince(ctx context.Context, name string, t time.Time, opts ...StreamReadOption) (io.ReadCloser, error) {
	n, err := c.ChunkAt(ctx, name, t)
	if err != nil {
		return nil, err
	}
	return c.OpenStream(ctx, name, n, opts...)
}
