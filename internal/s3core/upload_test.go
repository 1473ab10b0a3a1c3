package s3core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

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
