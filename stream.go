package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// Stream objects, in the original client's layout (docs/streams.md):
//
//	NAME/BASE.N        chunk N (N decimal, no padding), BASE = last segment of NAME
//	NAME/.inprogress   marker: exists while a writer is open; holds the
//	                   decimal index of the writer's first chunk
//
// User metadata is stored on the marker and on every chunk (the original client put
// it on every chunk), so StatObject reports it while the stream is open,
// after Close, and for streams the original client wrote.

const (
	markerName = ".inprogress"
	// maxChunkDigits is the room kept in a key for the chunk index.
	maxChunkDigits = 19
	// closeTimeout bounds a writer's Close, which runs on a context that
	// ignores the cancellation of the writer's own (see Close).
	closeTimeout = 30 * time.Second
)

// streamKeys are the keys of one stream object.
type streamKeys struct {
	name        string
	marker      string // NAME/.inprogress
	chunkPrefix string // NAME/BASE.
}

// newStreamKeys checks name and derives the stream's keys. A name so long
// that its chunk keys could not be valid is ErrInvalidKey.
func newStreamKeys(op, name string) (streamKeys, error) {
	if err := backend.ValidateKey(op, name); err != nil {
		return streamKeys{}, err
	}
	base := name[strings.LastIndexByte(name, '/')+1:]
	k := streamKeys{name: name, marker: name + "/" + markerName, chunkPrefix: name + "/" + base + "."}
	if len(k.chunkPrefix)+maxChunkDigits > backend.MaxKeyLen || len(k.marker) > backend.MaxKeyLen {
		return streamKeys{}, backend.NewError(op, name, ErrInvalidKey,
			fmt.Errorf("stream name is too long: its chunk keys %q... would exceed %d bytes", k.chunkPrefix, backend.MaxKeyLen))
	}
	return k, nil
}

// chunk returns the key of chunk n: one allocation per chunk written
// (the digits are formatted on the stack).
func (k streamKeys) chunk(n int) string {
	var digits [20]byte
	return k.chunkPrefix + string(strconv.AppendInt(digits[:0], int64(n), 10))
}

// checkStreamKeys refuses, before any I/O, a stream whose marker or chunk
// keys the store could not hold (a backend.KeyChecker, such as fs with its
// 255-byte file names): every chunk key up to the longest index is tried,
// so a writer never fails mid-stream on a key that grew a digit.
func (c *Client) checkStreamKeys(op string, k streamKeys) error {
	kc, ok := backend.As[backend.KeyChecker](c.b)
	if !ok {
		return nil
	}
	for _, key := range []string{k.marker, k.chunkPrefix + strings.Repeat("9", maxChunkDigits)} {
		if err := kc.CheckKey(op, key); err != nil {
			return backend.NewError(op, k.name, ErrInvalidKey,
				fmt.Errorf("this store cannot hold the stream's key %q; choose a shorter last segment: %w", key, err))
		}
	}
	return nil
}

// streamKeyOf tells whether key is one of the keys stream objects use: a
// marker (".../.inprogress") or a chunk ("NAME/BASE.N"). It returns the
// stream's name and a description, or ok == false for any other key.
// Plain puts and removes of such keys are refused (reservedKeyError), so a
// user's object is never taken for a stream's part, nor a chunk
// overwritten.
func streamKeyOf(key string) (stream, what string, ok bool) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 {
		return "", "", false
	}
	name, last := key[:i], key[i+1:]
	if last == markerName {
		return name, "the marker", true
	}
	k := streamKeys{name: name, chunkPrefix: name + "/" + name[strings.LastIndexByte(name, '/')+1:] + "."}
	if n := k.chunkIndex(key); n >= 0 {
		return name, "chunk " + strconv.Itoa(n), true
	}
	return "", "", false
}

// reservedKeyError refuses a plain operation on a stream's key, or
// returns nil for any other key.
func reservedKeyError(op, key string) error {
	stream, what, ok := streamKeyOf(key)
	if !ok {
		return nil
	}
	return backend.NewError(op, key, ErrInvalidArgument, fmt.Errorf(
		"the key is reserved for stream objects (it would be %s of stream %q); write streams with PutStreamObject, remove them with RemoveObjects(ctx, %q), or choose another key",
		what, stream, stream+"/"))
}

// isMarker tells a stream marker (a decimal chunk index of 1 to 19
// digits) from a larger object that happens to have the marker's name.
func isMarker(info backend.ObjectInfo) bool {
	return info.Size >= 1 && info.Size <= maxChunkDigits
}

// statMarker stats the marker of k: nil when it exists, ErrNotFound when
// it does not (or when the object there cannot be a marker).
func (c *Client) statMarker(ctx context.Context, k streamKeys) (backend.ObjectInfo, error) {
	info, err := c.b.Stat(ctx, k.marker)
	if err == nil && !isMarker(info) {
		return info, backend.NewError("stat", k.marker, ErrNotFound,
			fmt.Errorf("the object there (%d bytes) is not a stream marker", info.Size))
	}
	return info, err
}

// chunkIndex returns N for the key of chunk N of this stream, or -1 for any
// other key under the chunk prefix ("cap.x", "cap.01", "cap.1/y").
func (k streamKeys) chunkIndex(key string) int {
	if !strings.HasPrefix(key, k.chunkPrefix) {
		return -1
	}
	s := key[len(k.chunkPrefix):]
	if s == "" || len(s) > maxChunkDigits-1 || (len(s) > 1 && s[0] == '0') {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// putCreateOnly stores r (rewound to 0 on a second attempt) under key only
// if key is free: ErrExist otherwise. It uses the backend's create-only
// put and, when the backend has none (ErrNotSupported), falls back to a
// Stat before a plain Put, which leaves a small window in which two
// writers could both succeed (docs/streams.md).
func (c *Client) putCreateOnly(ctx context.Context, key string, r *bytes.Reader, opts backend.PutOptions) error {
	if c.createOnly.Load() != createOnlyNo {
		opts.IfNotExist = true
		_, err := c.b.Put(ctx, key, r, opts)
		if err == nil || !errors.Is(err, ErrNotSupported) {
			if err == nil {
				c.createOnly.Store(createOnlyYes)
			}
			return err
		}
		c.createOnly.Store(createOnlyNo)
		c.log.Warn("objstore: the backend cannot make create-only puts; stream writers fall back to stat-then-put", "key", key)
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return backend.NewError("put", key, nil, err)
		}
	}
	if _, err := c.b.Stat(ctx, key); err == nil {
		return backend.NewError("put", key, ErrExist, nil)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	opts.IfNotExist = false
	_, err := c.b.Put(ctx, key, r, opts)
	return err
}

// scanChunks calls fn for every chunk of the stream, in lexical key order
// (not in index order), listing only keys under "NAME/BASE." so that other
// streams nested under NAME/ are not read.
func (c *Client) scanChunks(ctx context.Context, k streamKeys, fn func(n int, o backend.ObjectInfo) bool) error {
	for o, err := range c.Objects(ctx, k.chunkPrefix) {
		if err != nil {
			return err
		}
		if n := k.chunkIndex(o.Key); n >= 0 && !fn(n, o) {
			return nil
		}
	}
	return nil
}

// PutStreamObject opens a writer on the stream object objectName. Every
// Write(p) stores p as the next chunk, in one backend put, and returns
// once the chunk is durable; Close removes the marker, which tells readers
// that the stream is complete. metaData is stored with the stream and is
// reported by StatObject.
//
// ctx governs the writer: when it ends, the Write in flight and every
// later Write fail. Close still removes the marker.
//
//   - A new name: the marker is created (create-only) and chunks start at 0.
//   - A stream whose marker exists (its writer died, or is still writing):
//     the new writer takes the stream over and resumes after the last chunk
//     that exists. Chunks are created create-only, so two writers never
//     overwrite each other's chunks: whichever of them loses the race for
//     a chunk gets an error wrapping ErrExist and is stopped for good, so
//     a stream is one writer's chunks followed by the next one's, never
//     interleaved.
//   - A stream that was closed (chunks exist, no marker): ErrExist. A
//     closed stream is complete and readers may have finished it; remove
//     it with RemoveObjects, or write a new name.
//
// The writer is safe for concurrent use (Writes are serialised, each one
// chunk). It never keeps p after Write returns. After a failed Write the
// writer is stopped: later Writes return the same error (open a new writer
// to resume after the chunks that exist).
func (c *Client) PutStreamObject(ctx context.Context, objectName string, metaData map[string]string, opts ...StreamWriteOption) (io.WriteCloser, error) {
	const op = "put stream"
	k, err := newStreamKeys(op, objectName)
	if err != nil {
		return nil, err
	}
	wo, err := buildStreamWriteOptions(op, objectName, opts)
	if err != nil {
		return nil, err
	}
	if err := c.checkStreamKeys(op, k); err != nil {
		return nil, err
	}
	md, err := backend.NormalizeMetadata(op, objectName, metaData)
	if err != nil {
		return nil, err
	}
	// A plain object of the same name would hide the stream from
	// StatObject (and on fs and MinIO cannot coexist with its keys).
	if _, err := c.b.Stat(ctx, objectName); err == nil {
		return nil, backend.NewError(op, objectName, ErrExist,
			errors.New("a plain object of that name exists; a stream object cannot share its name: remove the object or choose another name"))
	} else if !errors.Is(err, ErrNotFound) {
		return nil, backend.NewError(op, objectName, nil, err)
	}
	w := &streamWriter{c: c, ctx: ctx, keys: k, meta: md, markerData: "0"}
	err = c.putCreateOnly(ctx, k.marker, bytes.NewReader([]byte("0")), backend.PutOptions{Size: 1, Metadata: md})
	switch {
	case err == nil:
		// A fresh marker. If chunks exist anyway, the stream was closed.
		closed := false
		if err := c.scanChunks(ctx, k, func(int, backend.ObjectInfo) bool { closed = true; return false }); err != nil {
			return nil, errors.Join(backend.NewError(op, objectName, nil, err), c.dropMarker(ctx, k))
		}
		if closed {
			return nil, errors.Join(backend.NewError(op, objectName, ErrExist,
				errors.New("the stream was already closed (its chunks exist and its marker does not); remove it with RemoveObjects or use another name")),
				c.dropMarker(ctx, k))
		}
	case errors.Is(err, ErrExist):
		// A marker without a live writer of ours: resume after the last
		// chunk, if the object there really is a marker.
		data, info, err := c.checkMarker(ctx, k)
		if err != nil {
			return nil, err
		}
		if err := wo.refuseLiveLease(objectName, info); err != nil {
			return nil, err
		}
		w.markerData = data
		last := -1
		if err := c.scanChunks(ctx, k, func(n int, _ backend.ObjectInfo) bool { last = max(last, n); return true }); err != nil {
			return nil, backend.NewError(op, objectName, nil, err)
		}
		w.next, w.resumed = last+1, true
		c.log.Info("objstore: resuming an unfinished stream object after its last chunk", "stream", objectName, "next_chunk", w.next)
	default:
		return nil, backend.NewError(op, objectName, nil, err)
	}
	if wo.lease > 0 {
		w.startLease(wo.lease)
	}
	return w, nil
}

// checkMarker reads the object at the marker's key, which a create-only
// put found taken, and returns nil only if it is a stream marker (a
// decimal chunk index). Anything else was not written by PutStreamObject
// and must not be resumed, nor removed by the resumed writer's Close.
func (c *Client) checkMarker(ctx context.Context, k streamKeys) (string, backend.ObjectInfo, error) {
	const op = "put stream"
	rc, info, err := get(ctx, c.b, k.marker, backend.WholeObject)
	if errors.Is(err, ErrNotFound) {
		// Gone since the put found it (a writer closed), or the put's
		// conflict was not an object at the marker's key (fs, MinIO: a
		// plain object at a prefix of it).
		return "", info, backend.NewError(op, k.name, ErrExist, fmt.Errorf(
			"the marker %q could not be created and is not there: a writer closed the stream just now, or an object holds a prefix of its key; remove it or choose another name", k.marker))
	}
	if err != nil {
		return "", info, backend.NewError(op, k.name, nil, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxChunkDigits+1))
	if err != nil {
		return "", info, backend.NewError(op, k.name, nil, err)
	}
	if len(data) == 0 || len(data) > maxChunkDigits || strings.Trim(string(data), "0123456789") != "" {
		return "", info, backend.NewError(op, k.name, ErrExist, fmt.Errorf(
			"%q holds an object that is not a stream marker (PutStreamObject did not write it); it is left untouched: rename it or choose another stream name", k.marker))
	}
	return string(data), info, nil
}

// dropMarker removes the marker a failed PutStreamObject created.
func (c *Client) dropMarker(ctx context.Context, k streamKeys) error {
	if err := c.b.Remove(context.WithoutCancel(ctx), k.marker); err != nil {
		c.log.Warn("objstore: could not remove the marker of a stream that failed to open", "stream", k.name, "err", err)
		return err
	}
	return nil
}

// streamWriter is the io.WriteCloser of PutStreamObject.
type streamWriter struct {
	c          *Client
	ctx        context.Context
	keys       streamKeys
	meta       map[string]string
	markerData string // the marker's content, rewritten by lease renewals
	lease      *lease // nil without WithLease

	mu        sync.Mutex
	next      int          // index of the chunk the next Write stores
	resumed   bool         // took over a marker: check it once before the first chunk
	rd        bytes.Reader // reused for every chunk, reset to nil after each put
	err       error        // sticky: the first failed Write
	takenOver bool         // another writer owns the stream now
	closed    bool
}

func (w *streamWriter) Write(p []byte) (int, error) {
	const op = "write stream"
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, backend.NewError(op, w.keys.name, ErrClosed, errors.New("write after the stream writer's Close"))
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.resumed {
		// The writer we took over from may have closed the stream meanwhile;
		// appending to a closed stream would hide the chunk from readers
		// that already saw its end.
		if err := w.checkOpen(op, "nothing was written"); err != nil {
			return 0, err
		}
		w.resumed = false
	}
	key := w.keys.chunk(w.next)
	w.rd.Reset(p)
	err := w.c.putCreateOnly(w.ctx, key, &w.rd, backend.PutOptions{Size: int64(len(p)), Metadata: w.meta})
	w.rd.Reset(nil)
	if err != nil {
		w.err = w.putError(op, key, err)
		if w.takenOver {
			w.lease.stop() // the marker is another writer's now
		}
		return 0, w.err
	}
	w.next++
	// A writer that resumed this stream may have closed it while our put
	// was in flight: the chunk just stored may lie past the end that
	// readers saw. Stop now, so at most this one chunk follows the end.
	if err := w.checkOpen(op, fmt.Sprintf("chunk %d was stored but readers that saw the end may miss it", w.next-1)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// checkOpen stats the marker and stops the writer (sticky error, marker
// left alone) when it is gone: another writer closed the stream.
func (w *streamWriter) checkOpen(op, consequence string) error {
	_, err := w.c.statMarker(w.ctx, w.keys)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		w.takenOver = true
		w.lease.stop()
		w.err = backend.NewError(op, w.keys.name, ErrExist, fmt.Errorf(
			"the stream was closed by another writer of it (its marker is gone); this writer is stopped and %s", consequence))
	default:
		w.err = backend.NewError(op, w.keys.name, nil, err)
	}
	return w.err
}

// putError explains a failed chunk put. ErrExist has two causes: another
// writer stored the chunk first (it owns the stream now), or an unrelated
// object lies below the chunk's key ("a/a.5/x" on fs and MinIO, where a
// key cannot be both an object and a prefix).
func (w *streamWriter) putError(op, key string, err error) error {
	n := w.next
	if !errors.Is(err, ErrExist) {
		return backend.NewError(op, w.keys.name, nil, fmt.Errorf("chunk %d: %w", n, err))
	}
	if _, serr := w.c.b.Stat(w.ctx, key); serr != nil && errors.Is(serr, ErrNotFound) {
		return backend.NewError(op, w.keys.name, ErrExist, fmt.Errorf(
			"chunk %d cannot be stored: objects that are not part of the stream lie below its key %q (keys starting with %q); remove them, then resume the stream with PutStreamObject: %w",
			n, key, key+"/", err))
	}
	w.takenOver = true
	w.c.log.Warn("objstore: stream taken over by another writer", "stream", w.keys.name, "chunk", n)
	return backend.NewError(op, w.keys.name, ErrExist, fmt.Errorf(
		"conflict: another writer of this stream stored chunk %d first, and owns the stream now; this writer is stopped: %w", n, err))
}

// Close ends the stream: it removes the marker, so readers know the
// stream is complete. It runs on a context that ignores the cancellation
// of the writer's ctx (bounded by 30s), so a writer whose request ended
// after its last Write still closes its stream. A writer whose Write
// failed returns that error and keeps the marker: chunks it meant to store
// are missing, so the stream is not complete, and a new PutStreamObject
// resumes it. A writer that another writer took over (or whose stream
// another writer closed) leaves the marker alone and returns the conflict
// error. Close is idempotent.
func (w *streamWriter) Close() error {
	const op = "close stream"
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	w.lease.stop() // before the marker goes: a renewal must not bring it back
	if w.takenOver {
		return w.err
	}
	if w.err != nil {
		return backend.NewError(op, w.keys.name, nil, fmt.Errorf(
			"a Write failed, so the stream is not complete; its marker is kept and PutStreamObject resumes it after its last chunk: %w", w.err))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), closeTimeout)
	defer cancel()
	// A writer that resumed the stream behind our back has stored the
	// chunk we would have written next: the marker is its own now.
	if _, err := w.c.b.Stat(ctx, w.keys.chunk(w.next)); err == nil {
		w.c.log.Warn("objstore: stream taken over by another writer; leaving its marker", "stream", w.keys.name, "chunk", w.next)
		return backend.NewError(op, w.keys.name, ErrExist,
			fmt.Errorf("conflict: another writer stored chunk %d after this writer's last chunk; the marker is left to it", w.next))
	} else if !errors.Is(err, ErrNotFound) {
		return backend.NewError(op, w.keys.name, nil, err)
	}
	if err := w.c.b.Remove(ctx, w.keys.marker); err != nil {
		return backend.NewError(op, w.keys.name, nil, err)
	}
	return nil
}

// errNoChunk says that a chunk does not exist and no writer will add it.
var errNoChunk = errors.New("no such chunk and the stream is not in progress")

// lookChunk makes one attempt to open chunk n. It returns the chunk's
// reader; or live == true when the chunk does not exist yet but the
// stream's marker does (a writer may add it); or errNoChunk when it does
// not exist and the stream is not in progress.
//
// The marker is removed only after the writer's last put returned, so
// when the marker is found missing, one more look at the chunk is
// authoritative: it catches a writer that stored chunk n and closed
// between our first look and the marker check.
func (c *Client) lookChunk(ctx context.Context, k streamKeys, n int) (rc io.ReadCloser, live bool, err error) {
	key := k.chunk(n)
	rc, _, err = get(ctx, c.b, key, backend.WholeObject)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return rc, false, err
	}
	if _, err = c.statMarker(ctx, k); err == nil {
		return nil, true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	rc, _, err = get(ctx, c.b, key, backend.WholeObject)
	if err != nil && errors.Is(err, ErrNotFound) {
		return nil, false, errNoChunk
	}
	return rc, false, err
}

// errWaitEnded is the error of a wait for chunk n that ctx ended.
func errWaitEnded(ctx context.Context, k streamKeys, n int) error {
	return backend.NewError("get stream", k.chunk(n), nil,
		fmt.Errorf("waiting for chunk %d of a stream in progress: %w", n, ctx.Err()))
}

// waitChunk opens chunk n, waiting while the stream is in progress: it
// polls with a backoff from c.pollMin doubling to c.pollMax, until the
// chunk appears, the stream ends without it (errNoChunk) or ctx ends (an
// error wrapping ctx.Err()).
func (c *Client) waitChunk(ctx context.Context, k streamKeys, n int) (io.ReadCloser, error) {
	delay := c.pollMin
	var timer *time.Timer
	for {
		rc, live, err := c.lookChunk(ctx, k, n)
		if err != nil && ctx.Err() != nil {
			// The deadline struck mid-request: report it as the wait
			// ending, not as the store failing.
			err = errWaitEnded(ctx, k, n)
		}
		if !live || err != nil {
			if timer != nil {
				timer.Stop()
			}
			return rc, err
		}
		if timer == nil {
			timer = time.NewTimer(delay)
		} else {
			timer.Reset(delay)
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, errWaitEnded(ctx, k, n)
		case <-timer.C:
		}
		delay = min(2*delay, c.pollMax)
	}
}

// GetStreamObjectAtOffset returns a reader of chunk offset (a chunk index,
// from 0) of the stream objectName. If the chunk exists, its reader at
// once. If it does not exist and the stream is in progress (its marker
// exists), it waits until the chunk appears (see WithPollInterval) or ctx
// ends (an error wrapping ctx.Err()). If it does not exist and the stream
// is not in progress, ErrNotFound at once. The caller must Close the
// reader.
func (c *Client) GetStreamObjectAtOffset(ctx context.Context, objectName string, offset int, opts ...StreamReadOption) (io.ReadCloser, error) {
	const op = "get stream"
	k, err := newStreamKeys(op, objectName)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, backend.NewError(op, objectName, ErrInvalidArgument, fmt.Errorf("chunk offset %d is negative", offset))
	}
	if buildStreamReadOptions(opts).waitForStart {
		if err := c.waitForStart(ctx, k); err != nil {
			return nil, err
		}
	}
	rc, err := c.waitChunk(ctx, k, offset)
	if errors.Is(err, errNoChunk) {
		return nil, backend.NewError(op, k.chunk(offset), ErrNotFound,
			fmt.Errorf("stream %q has no chunk %d and no writer (no marker %q)", objectName, offset, k.marker))
	}
	return rc, err
}

// StreamReadOption tunes OpenStream, OpenStreamSince and
// GetStreamObjectAtOffset.
type StreamReadOption func(*streamReadOptions)

type streamReadOptions struct {
	waitForStart bool
}

// WaitForStart makes a reader of a stream that does not exist yet (no
// marker, no chunk) wait for it to start, like tail -F, instead of
// failing with ErrNotFound; ctx bounds the wait. While waiting it polls
// (WithPollInterval) with one Stat and one List per poll.
func WaitForStart() StreamReadOption {
	return func(o *streamReadOptions) { o.waitForStart = true }
}

func buildStreamReadOptions(opts []StreamReadOption) streamReadOptions {
	var o streamReadOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// waitForStart returns once the stream k exists (its marker or a chunk),
// polling with the client's backoff, or an error wrapping ctx.Err().
func (c *Client) waitForStart(ctx context.Context, k streamKeys) error {
	delay := c.pollMin
	for {
		_, err := c.statMarker(ctx, k)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		exists := false
		if err := c.scanChunks(ctx, k, func(int, backend.ObjectInfo) bool { exists = true; return false }); err != nil {
			return err
		}
		if exists {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return backend.NewError("get stream", k.name, nil,
				fmt.Errorf("waiting for the stream to start: %w", ctx.Err()))
		case <-t.C:
		}
		delay = min(2*delay, c.pollMax)
	}
}

// FirstChunk, as OpenStream's fromOffset, starts the reader at the lowest
// chunk that exists: the first one, or the oldest one left after chunks
// expired (lifecycle rules) or were removed.
const FirstChunk = -1

// OpenStream returns one reader over the chunks of the stream name, from
// chunk fromOffset on (or from the lowest chunk there is, with
// FirstChunk), in index order (chunk 10 after chunk 9), each chunk exactly
// once. While the stream is in progress the reader follows it, like tail
// -f: a Read waits for the next chunk. It returns io.EOF once the writer
// has closed and every chunk has been read. A chunk missing below the
// last one (removed or expired) is an ErrNotFound error naming the gap,
// never a short stream.
//
// If chunk fromOffset does not exist and the stream is not in progress,
// OpenStream fails with ErrNotFound (a stream that does not exist, an
// offset past its end, or a gap). ctx governs the whole reader: when it
// ends, a waiting Read fails with an error wrapping ctx.Err(). Close may
// be called from another goroutine to stop a waiting Read, or a read of a
// chunk that stalls, which then returns an ErrClosed error. The reader
// starts no goroutine. The caller must Close it.
func (c *Client) OpenStream(ctx context.Context, name string, fromOffset int, opts ...StreamReadOption) (io.ReadCloser, error) {
	const op = "open stream"
	k, err := newStreamKeys(op, name)
	if err != nil {
		return nil, err
	}
	if fromOffset < 0 && fromOffset != FirstChunk {
		return nil, backend.NewError(op, name, ErrInvalidArgument, fmt.Errorf("chunk offset %d is negative (FirstChunk is the only negative offset)", fromOffset))
	}
	// The reader's own context lets Close interrupt a waiting Read or a
	// backend call in flight, the first chunk's included;
	// context.WithCancel starts no goroutine.
	rctx, cancel := context.WithCancel(ctx)
	if buildStreamReadOptions(opts).waitForStart {
		if err := c.waitForStart(rctx, k); err != nil {
			cancel()
			return nil, err
		}
	}
	if fromOffset == FirstChunk {
		if fromOffset, err = c.firstChunk(rctx, k); err != nil {
			cancel()
			return nil, backend.NewError(op, name, nil, err)
		}
	}
	rc, _, err := c.lookChunk(rctx, k, fromOffset)
	if err != nil {
		cancel()
		if errors.Is(err, errNoChunk) {
			_, err := c.noChunkError(ctx, op, k, fromOffset)
			return nil, err
		}
		return nil, err
	}
	return &streamReader{c: c, ctx: rctx, cancel: cancel, keys: k, cur: rc, n: fromOffset}, nil
}

// firstChunk returns the lowest chunk index of the stream, or 0 when it
// has no chunk.
func (c *Client) firstChunk(ctx context.Context, k streamKeys) (int, error) {
	first := -1
	err := c.scanChunks(ctx, k, func(n int, _ backend.ObjectInfo) bool {
		if first < 0 || n < first {
			first = n
		}
		return true
	})
	return max(first, 0), err
}

// noChunkError explains why chunk n of a stream that is not in progress
// cannot be read: the stream does not exist, n is past its end, or chunk n
// is missing below later chunks (a gap: removed or expired). It lists the
// chunks once, which only happens at the end of a stream.
func (c *Client) noChunkError(ctx context.Context, op string, k streamKeys, n int) (gap bool, err error) {
	last := -1
	if err := c.scanChunks(ctx, k, func(i int, _ backend.ObjectInfo) bool { last = max(last, i); return true }); err != nil {
		return true, backend.NewError(op, k.chunk(n), nil, err)
	}
	if last > n {
		return true, backend.NewError(op, k.chunk(n), ErrNotFound, fmt.Errorf(
			"stream %q is missing chunk %d although it has chunks up to %d (removed or expired); read from a later offset to skip the gap, or from FirstChunk",
			k.name, n, last))
	}
	return false, backend.NewError(op, k.chunk(n), ErrNotFound,
		fmt.Errorf("stream %q has no chunk %d and no writer (no marker %q)", k.name, n, k.marker))
}

// streamReader is the io.ReadCloser of OpenStream.
type streamReader struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc
	keys   streamKeys
	closed atomic.Bool

	mu  sync.Mutex
	cur io.ReadCloser // chunk n, or nil between chunks
	n   int           // the chunk cur reads, or the next one to open
	err error         // sticky: io.EOF or the first failure
}

func (r *streamReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	if r.closed.Load() {
		return 0, r.closedErr()
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.cur == nil {
			rc, err := r.c.waitChunk(r.ctx, r.keys, r.n)
			switch {
			case err == nil:
				r.cur = rc
			case errors.Is(err, errNoChunk):
				// The end, unless later chunks exist: then chunk n is a gap.
				r.err = io.EOF
				if gap, err := r.c.noChunkError(r.ctx, "read stream", r.keys, r.n); gap {
					r.err = err
				}
				return 0, r.err
			case r.closed.Load():
				return 0, r.closedErr()
			default:
				r.err = err
				return 0, err
			}
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			// The chunk is complete; a failing Close cannot change its data.
			_ = r.cur.Close()
			r.cur = nil
			r.n++
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			if r.closed.Load() {
				return n, r.closedErr()
			}
			r.err = backend.NewError("read stream", r.keys.chunk(r.n), nil, err)
			return n, r.err
		}
		return n, nil
	}
}

func (r *streamReader) closedErr() error {
	return backend.NewError("read stream", r.keys.name, ErrClosed, errors.New("read after the stream reader's Close"))
}

// Close releases the reader; it also stops a Read that is waiting in
// another goroutine. It is idempotent.
func (r *streamReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		err := r.cur.Close()
		r.cur = nil
		return err
	}
	return nil
}

// statStream describes the stream object name, or returns ErrNotFound if
// there is neither a marker nor a chunk. The marker is looked at before
// the chunks are listed: a writer that stores a chunk and closes in
// between is reported in progress with one chunk too few, never closed
// with a chunk missing.
func (c *Client) statStream(ctx context.Context, name string) (*ObjectStats, error) {
	const op = "stat"
	notFound := backend.NewError(op, name, ErrNotFound, errors.New("no object and no stream object of that name"))
	k, err := newStreamKeys(op, name)
	if err != nil {
		return nil, notFound // a name too long to be a stream
	}
	marker, err := c.statMarker(ctx, k)
	inProgress := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	st := &ObjectStats{IsStream: true, InProgress: inProgress}
	first := -1
	var firstInfo backend.ObjectInfo
	err = c.scanChunks(ctx, k, func(n int, o backend.ObjectInfo) bool {
		st.Chunks++
		st.Size += o.Size
		if o.LastModified.After(st.LastModified) {
			st.LastModified = o.LastModified
		}
		if first < 0 || n < first {
			first, firstInfo = n, o
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	st.FirstChunk = max(first, 0)
	switch {
	case st.Chunks == 0 && !inProgress:
		return nil, notFound
	case st.Chunks == 0:
		st.LastModified, st.ContentType, st.Metadata = marker.LastModified, marker.ContentType, marker.Metadata
	default:
		// Listings need not carry metadata: ask the first chunk itself.
		if info, err := c.b.Stat(ctx, firstInfo.Key); err == nil {
			firstInfo = info
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		st.ContentType, st.Metadata, st.HTTPAttributes = firstInfo.ContentType, firstInfo.Metadata, firstInfo.HTTPAttributes
		if st.Metadata == nil && inProgress {
			st.Metadata = marker.Metadata
		}
	}
	return st, nil
}

// RemoveStream removes the stream object name: its chunks ("NAME/BASE.N")
// and then its marker, and nothing else (not "NAME/notes.txt", not
// "NAMEx", not a stream nested under NAME/). It returns the number of keys
// it removed; a stream that does not exist removes nothing and is not an
// error. An object at the marker's key that is not a marker is left alone.
// Remove a stream after its writer stopped: a writer still running stops
// at its next Write (the marker is gone) and may leave that one chunk.
func (c *Client) RemoveStream(ctx context.Context, name string) (int, error) {
	const op = "remove stream"
	k, err := newStreamKeys(op, name)
	if err != nil {
		return 0, err
	}
	var keys []string
	if err := c.scanChunks(ctx, k, func(n int, o backend.ObjectInfo) bool { keys = append(keys, o.Key); return true }); err != nil {
		return 0, backend.NewError(op, name, nil, err)
	}
	if _, err := c.statMarker(ctx, k); err == nil {
		keys = append(keys, k.marker) // last: the stream stays in progress until its chunks are gone
	} else if !errors.Is(err, ErrNotFound) {
		return 0, backend.NewError(op, name, nil, err)
	}
	removed := 0
	for _, key := range keys {
		if err := c.b.Remove(ctx, key); err != nil {
			return removed, backend.NewError(op, name, nil, err)
		}
		removed++
	}
	return removed, nil
}
