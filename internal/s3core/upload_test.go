package s3core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/background"
)

// fakeStore is an Uploader, Copier and Prober over a map, with faults to
// order. It is the engine's contract in a few lines; the drivers' tests
// run the engine against MinIO and versitygw.
type fakeStore struct {
	mu        sync.Mutex
	objects   map[string][]byte
	uploads   map[string]map[int][]byte
	nextID    int
	calls     []string
	conflicts bool
	failPart  int // UploadPart of this part number fails
	listed    int // AbortUpload answers ErrStillListed this many times
}

func newFake() *fakeStore {
	return &fakeStore{objects: map[string][]byte{}, uploads: map[string]map[int][]byte{}}
}

func (f *fakeStore) call(c string) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *fakeStore) PutObject(_ context.Context, p *Plan, data []byte, sum backend.Checksum) (backend.ObjectInfo, error) {
	f.call(fmt.Sprintf("put %s create=%v match=%q", p.Key, p.Opts.IfNotExist, p.Opts.IfMatch))
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.objects[p.Key]
	switch {
	case ok && p.Opts.IfNotExist:
		return backend.ObjectInfo{}, backend.NewError("put", p.Key, backend.ErrExist, nil)
	case p.Opts.IfMatch != "" && !ok:
		return backend.ObjectInfo{}, backend.NewError("put", p.Key, backend.ErrNotFound, nil)
	case p.Opts.IfMatch != "" && p.Opts.IfMatch != etagOf(old):
		return backend.ObjectInfo{}, backend.NewError("put", p.Key, backend.ErrExist, nil)
	}
	f.objects[p.Key] = bytes.Clone(data)
	return backend.ObjectInfo{ETag: etagOf(data)}, nil
}

func etagOf(b []byte) string { return fmt.Sprintf("%x", CRC32C(b).Value) }

func (f *fakeStore) CreateUpload(_ context.Context, p *Plan) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprint(f.nextID)
	f.uploads[id] = map[int][]byte{}
	return id, nil
}

func (f *fakeStore) UploadPart(_ context.Context, p *Plan, id string, part Part, data []byte) (Part, error) {
	if part.Num == f.failPart {
		return part, backend.NewError("put", p.Key, backend.ErrUnavailable, errors.New("part refused"))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads[id][part.Num] = bytes.Clone(data)
	part.ETag = "p"
	return part, nil
}

func (f *fakeStore) CompleteUpload(_ context.Context, p *Plan, id string, parts []Part, sum backend.Checksum) (backend.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []byte
	for i, part := range parts {
		if part.Num != i+1 {
			return backend.ObjectInfo{}, fmt.Errorf("part %d at %d", part.Num, i)
		}
		all = append(all, f.uploads[id][part.Num]...)
	}
	if sum.Algorithm != "" && !bytes.Equal(CRC32C(all).Value, sum.Value) {
		return backend.ObjectInfo{}, errors.New("bad checksum")
	}
	f.objects[p.Key] = all
	delete(f.uploads, id)
	return backend.ObjectInfo{ETag: "m"}, nil
}

func (f *fakeStore) AbortUpload(_ context.Context, key, id string) error {
	f.call("abort")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listed > 0 {
		f.listed--
		return ErrStillListed
	}
	delete(f.uploads, id)
	return nil
}

func (f *fakeStore) Stat(_ context.Context, key string) (backend.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.objects[key]; ok {
		return backend.ObjectInfo{Key: key, Size: int64(len(b)), ETag: "e"}, nil
	}
	return backend.ObjectInfo{}, backend.NewError("stat", key, backend.ErrNotFound, nil)
}

func (f *fakeStore) Head(ctx context.Context, _, key string) (backend.ObjectInfo, error) {
	return f.Stat(ctx, key)
}

func (f *fakeStore) CopyObject(_ context.Context, p *Plan, src CopySource, _ bool) (backend.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[p.Key] = bytes.Clone(f.objects[src.Key])
	return backend.ObjectInfo{ETag: "c"}, nil
}

func (f *fakeStore) CopyPart(_ context.Context, p *Plan, id string, num int, src CopySource) (Part, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.objects[src.Key]
	if src.Length >= 0 {
		b = b[src.Offset : src.Offset+src.Length]
	}
	f.uploads[id][num] = bytes.Clone(b)
	return Part{Num: num, ETag: "p"}, nil
}

func (f *fakeStore) CheckConflicts() bool { return f.conflicts }

func (f *fakeStore) Exists(_ context.Context, key string) (bool, error) {
	f.call("head " + key)
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.objects[key]
	return ok, nil
}

func (f *fakeStore) FirstUnder(_ context.Context, prefix string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.objects {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			return k, nil
		}
	}
	return "", nil
}

func engine(t *testing.T) *Engine {
	bg := background.New()
	t.Cleanup(bg.Stop)
	return &Engine{PartSize: MinPartSize, Concurrency: 3, MaxParts: MaxParts, Background: bg}
}

func TestConflictsAndOverwrites(t *testing.T) {
	f := newFake()
	f.conflicts = true
	e := engine(t)
	ctx := context.Background()
	_, err := e.Put(ctx, f, "a", bytes.NewReader([]byte("x")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	f.calls = nil
	_, err = e.Put(ctx, f, "a/b", bytes.NewReader([]byte("y")), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Empty(t, filter(f.calls, "put"), "refused before it is sent")
	_, err = f.Stat(ctx, "a/b")
	assert.ErrorIs(t, err, backend.ErrNotFound)

	// An overwrite of what the engine stored: one put, pinned to the ETag
	// it remembers, no check.
	f.calls = nil
	_, err = e.Put(ctx, f, "a", bytes.NewReader([]byte("z")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{`put a create=false match="` + etagOf([]byte("x")) + `"`}, f.calls)
	assert.Equal(t, []byte("z"), f.objects["a"])

	// Changed by another writer: the pinned put fails (412), and a plain
	// put replaces the object, without the check.
	f.objects["a"] = []byte("other")
	f.calls = nil
	_, err = e.Put(ctx, f, "a", bytes.NewReader([]byte("v")), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{`put a create=false match="` + etagOf([]byte("z")) + `"`, `put a create=false match=""`}, f.calls)
	assert.Equal(t, []byte("v"), f.objects["a"])

	// Removed by another writer, and a key below it stored: the put is
	// a new key again, and the check refuses it.
	delete(f.objects, "a")
	f.objects["a/x"] = []byte("y")
	_, err = e.Put(ctx, f, "a", bytes.NewReader([]byte("w")), backend.PutOptions{Size: 1})
	require.ErrorIs(t, err, backend.ErrExist)
	assert.NotContains(t, f.objects, "a")
	assert.Contains(t, f.objects, "a/x")
	delete(f.objects, "a/x")
	f.objects["a"] = []byte("z")

	// A create-only put of an existing key stays ErrExist.
	_, err = e.Put(ctx, f, "a", bytes.NewReader([]byte("w")), backend.PutOptions{Size: 1, IfNotExist: true})
	require.ErrorIs(t, err, backend.ErrExist)
	assert.Equal(t, []byte("z"), f.objects["a"])
}

func TestMultipartFailureAborts(t *testing.T) {
	f := newFake()
	f.failPart = 2
	f.listed = 2 // the upload comes back twice after its abort
	e := engine(t)
	data := bytes.Repeat([]byte("0123456789"), MinPartSize*3/10)
	_, err := e.Put(context.Background(), f, "big", bytes.NewReader(data), backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Equal(t, 3, len(filter(f.calls, "abort")), "aborted until the upload is gone")
	assert.Empty(t, f.uploads)
	assert.NotContains(t, f.objects, "big")

	f.failPart = 0
	info, err := e.Put(context.Background(), f, "big", bytes.NewReader(data), backend.PutOptions{Size: -1})
	require.NoError(t, err)
	assert.EqualValues(t, len(data), info.Size)
	assert.Equal(t, data, f.objects["big"])
	assert.Equal(t, CRC32C(data), info.Checksum)
}

func TestTooManyParts(t *testing.T) {
	f := newFake()
	e := engine(t)
	e.MaxParts = 2
	data := make([]byte, 2*MinPartSize+1)
	_, err := e.Put(context.Background(), f, "k", io.MultiReader(bytes.NewReader(data)), backend.PutOptions{Size: -1})
	require.ErrorIs(t, err, backend.ErrTooLarge)
	assert.Empty(t, f.uploads, "the upload is aborted")
	_, err = e.Put(context.Background(), f, "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.ErrorIs(t, err, backend.ErrTooLarge)
}

func TestCopyInParts(t *testing.T) {
	f := newFake()
	e := engine(t)
	old := CopyPartSize
	CopyPartSize = 4
	defer func() { CopyPartSize = old }()
	f.objects["src"] = []byte("0123456789")
	info, err := e.Copy(context.Background(), f, "dst", "src", backend.CopyOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 10, info.Size)
	assert.Equal(t, []byte("0123456789"), f.objects["dst"])
}

func filter(calls []string, prefix string) []string {
	var out []string
	for _, c := range calls {
		if len(c) >= len(prefix) && c[:len(prefix)] == prefix {
			out = append(out, c)
		}
	}
	return out
}

// sectionStore is a fakeStore that takes parts straight from the
// caller's ReaderAt; its first attempt at part retryPart reads half the
// part and fails, and the part is sent again from the rewound section, as
// an SDK's retry does.
type sectionStore struct {
	*fakeStore
	retryPart int
	inFlight  atomic.Int32
	peak      atomic.Int32
}

func (f *sectionStore) UploadSection(ctx context.Context, p *Plan, id string, num int, r *io.SectionReader) (Part, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		old := f.peak.Load()
		if n <= old || f.peak.CompareAndSwap(old, n) {
			break
		}
	}
	crc, err := HashSection(r)
	if err != nil {
		return Part{Num: num}, err
	}
	if num == f.retryPart {
		f.call(fmt.Sprintf("retry %d", num))
		if _, err := io.CopyN(io.Discard, r, r.Size()/2); err != nil {
			return Part{Num: num}, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Part{Num: num}, err
		}
	}
	time.Sleep(10 * time.Millisecond) // let the parts overlap
	data, err := io.ReadAll(r)
	if err != nil {
		return Part{Num: num}, err
	}
	if EncodeChecksum(CRC32C(data)) != crc {
		return Part{Num: num}, errors.New("the part's bytes changed between its hashing and its sending")
	}
	return f.fakeStore.UploadPart(ctx, p, id, Part{Num: num, CRC32C: crc}, data)
}

// PutSection reads the section as a driver would: one hashing pass, then
// the bytes it sends, compared with the hash.
func (f *sectionStore) PutSection(ctx context.Context, p *Plan, r *io.SectionReader) (backend.ObjectInfo, error) {
	f.call("section " + p.Key)
	crc, err := HashSection(r)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if EncodeChecksum(CRC32C(data)) != crc {
		return backend.ObjectInfo{}, errors.New("the bytes changed between their hashing and their sending")
	}
	info, err := f.fakeStore.PutObject(ctx, p, data, CRC32C(data))
	info.Size, info.Checksum = int64(len(data)), CRC32C(data)
	return info, err
}

// TestSectionPutOfOneRequest: an object of one request (from pooledAbove
// up to one part) from an io.ReaderAt with Seek is sent from a section of
// the reader, not copied into a buffer; a put sent again (the overwrite
// hint's 412) reads it again; a reader of the wrong size or one that fails
// is blamed and nothing is stored.
func TestSectionPutOfOneRequest(t *testing.T) {
	f := &sectionStore{fakeStore: newFake()}
	f.conflicts = true
	e := engine(t)
	ctx := context.Background()
	const skip = 100
	all := bytes.Repeat([]byte("0123456789abcdef"), (pooledAbove+skip)/16+1000)
	data := all[skip:]
	r := bytes.NewReader(all)
	_, err := r.Seek(skip, io.SeekStart)
	require.NoError(t, err)
	info, err := e.Put(ctx, f, "k", r, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, data, f.objects["k"])
	assert.Equal(t, CRC32C(data), info.Checksum)
	assert.EqualValues(t, len(data), info.Size)
	assert.Equal(t, []string{"section k"}, filter(f.calls, "section"), "sent from the reader")
	assert.Zero(t, r.Len(), "the reader is at the object's end")

	// Changed by another writer: the put pinned to the remembered ETag
	// fails, and the plain put that follows reads the section again.
	f.objects["k"] = []byte("other")
	f.calls = nil
	_, err = e.Put(ctx, f, "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, []string{"section k", "section k"}, filter(f.calls, "section"))
	assert.Equal(t, data, f.objects["k"])

	for _, c := range faultyReaders(data, 1000) {
		_, err = e.Put(ctx, f, c.name, c.r, backend.PutOptions{Size: int64(c.size)})
		require.ErrorIs(t, err, c.want, c.name)
		assert.Contains(t, err.Error(), "reading the object's bytes", c.name)
		assert.NotContains(t, f.objects, c.name)
	}

	// Smaller objects, readers without Seek, and puts with the caller's
	// preconditions (read in sequence, for the failover layer's hash) are
	// buffered (PutObject).
	f.calls = nil
	_, err = e.Put(ctx, f, "create-only", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: true})
	require.NoError(t, err)
	_, err = e.Put(ctx, f, "create-only", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfMatch: etagOf(data)})
	require.NoError(t, err)
	_, err = e.Put(ctx, f, "small", bytes.NewReader(data[:pooledAbove-1]), backend.PutOptions{Size: pooledAbove - 1})
	require.NoError(t, err)
	_, err = e.Put(ctx, f, "no seek", noSeek(r, data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, data, f.objects["no seek"])
	assert.Empty(t, filter(f.calls, "section"))
}

func TestSectionPuts(t *testing.T) {
	f := &sectionStore{fakeStore: newFake(), retryPart: 2}
	e := engine(t)
	ctx := context.Background()
	const skip = 1000
	all := bytes.Repeat([]byte("0123456789abcdef"), (4*MinPartSize+12345+skip)/16)
	data := all[skip:]
	r := bytes.NewReader(all)
	_, err := r.Seek(skip, io.SeekStart) // ReadAt is absolute: the object starts at the position
	require.NoError(t, err)
	info, err := e.Put(ctx, f, "k", r, backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, data, f.objects["k"], "the retried part re-read its range")
	assert.Equal(t, CRC32C(data), info.Checksum, "combined from the parts'")
	assert.EqualValues(t, len(data), info.Size)
	assert.Equal(t, []string{"retry 2"}, filter(f.calls, "retry"))
	assert.EqualValues(t, e.Concurrency, f.peak.Load(), "Concurrency parts in flight")
	assert.Zero(t, r.Len(), "the reader is at the object's end")

	// A part that fails aborts the upload.
	f.failPart = 3
	_, err = e.Put(ctx, f, "failed", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.ErrorIs(t, err, backend.ErrUnavailable)
	assert.NotContains(t, f.objects, "failed")
	assert.Empty(t, f.uploads, "aborted")
	f.failPart = 0

	// A reader that fails, or holds fewer or more bytes than its size:
	// the reader is blamed, and the upload aborted (or never started).
	for _, c := range faultyReaders(data, MinPartSize*3) {
		f.calls = nil
		_, err = e.Put(ctx, f, c.name, c.r, backend.PutOptions{Size: int64(c.size)})
		require.ErrorIs(t, err, c.want, c.name)
		assert.Contains(t, err.Error(), "reading the object's bytes", c.name)
		assert.NotContains(t, f.objects, c.name)
		assert.Empty(t, f.uploads, "%s: aborted", c.name)
	}

	// A cancelled context: no object.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.Put(cctx, f, "cancelled", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	require.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, f.objects, "cancelled")
	assert.Empty(t, f.uploads)

	// Unknown sizes keep the buffered path (UploadPart), as do readers
	// that cannot seek, whose offsets cannot be known.
	f.peak.Store(0)
	_, err = e.Put(ctx, f, "unknown", bytes.NewReader(data), backend.PutOptions{Size: -1})
	require.NoError(t, err)
	assert.Equal(t, data, f.objects["unknown"])
	_, err = e.Put(ctx, f, "no seek", noSeek(r, data), backend.PutOptions{Size: int64(len(data))})
	require.NoError(t, err)
	assert.Equal(t, data, f.objects["no seek"])
	assert.Zero(t, f.peak.Load(), "no UploadSection")
}

// faultyReader is a reader of an object that a put must blame: want is
// the error the put returns.
type faultyReader struct {
	name string
	r    io.Reader
	size int
	want error
}

// errReaderBoom is the failure of faultyReaders' failing reader.
var errReaderBoom = errors.New("boom")

// faultyReaders are readers of data that fail at the byte at, or hold one
// byte fewer or more than their declared size.
func faultyReaders(data []byte, at int64) []faultyReader {
	return []faultyReader{
		{"failing", &failAt{bytes.NewReader(data), at, errReaderBoom}, len(data), errReaderBoom},
		{"short", bytes.NewReader(data[:len(data)-1]), len(data), backend.ErrInvalidArgument},
		{"long", bytes.NewReader(data), len(data) - 1, backend.ErrInvalidArgument},
	}
}

// noSeek is a reader of data that has ReadAt (of at) but no Seek, so its
// position, and the offsets of its object, cannot be known.
func noSeek(at io.ReaderAt, data []byte) io.Reader {
	return struct {
		io.ReaderAt
		io.Reader
	}{at, bytes.NewReader(data)}
}

// failAt is a bytes.Reader whose ReadAt fails at the byte at.
type failAt struct {
	*bytes.Reader
	at  int64
	err error
}

func (f *failAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.at && f.at < off+int64(len(p)) {
		return 0, f.err
	}
	return f.Reader.ReadAt(p, off)
}
