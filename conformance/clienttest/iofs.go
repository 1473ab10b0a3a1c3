package clienttest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// ioCases hold the Go-native access to objects to the contract on every
// driver: OpenObject's reader with attributes, ranged reads and version
// pinning; Exists; and the io/fs view, checked with testing/fstest.
var ioCases = []testCase{
	{"io/open-object", testOpenObject},
	{"io/open-object-test-reader", testOpenObjectTestReader},
	{"io/open-object-changed", testOpenObjectChanged},
	{"io/open-object-errors", testOpenObjectErrors},
	{"io/exists", testExists},
	{"io/fs-tree", testFSTree},
}

// pattern returns n bytes that differ at every small offset, seeded so
// that two versions of an object differ everywhere.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

func testOpenObject(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cnt := &counting{Backend: b}
	c := newClient(cnt)
	data := pattern(300<<10, 0)
	_, err := c.PutObjectWith(ctx, "io/obj.bin", bytes.NewReader(data), backend.PutOptions{
		Size: int64(len(data)), ContentType: "application/x-test", Metadata: map[string]string{"Probe": "p1"}})
	require.NoError(t, err)
	st, err := c.StatObject(ctx, "io/obj.bin")
	require.NoError(t, err)

	before := cnt.total()
	r, err := c.OpenObject(ctx, "io/obj.bin")
	require.NoError(t, err)
	defer r.Close()
	assert.EqualValues(t, 1, cnt.total()-before, "OpenObject is one request")
	assert.Equal(t, "io/obj.bin", r.Name())
	assert.EqualValues(t, len(data), r.Size())
	assert.Equal(t, st.ETag, r.ETag(), "the ETag of the Get is the Stat's")
	assert.NotEmpty(t, r.ETag())
	assert.Equal(t, "application/x-test", r.ContentType())
	assert.Equal(t, map[string]string{"probe": "p1"}, r.Metadata())
	assert.WithinDuration(t, st.LastModified, r.ModTime(), 2*time.Second)
	info := r.Info()
	assert.Equal(t, r.Size(), info.Size)
	info.Metadata["probe"] = "changed"
	assert.Equal(t, "p1", r.Metadata()["probe"], "Info and Metadata return copies")

	// A whole sequential read is the one request that opened the reader.
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got), "sequential read")
	assert.EqualValues(t, 1, cnt.gets.Load(), "a sequential read stays one stream")
	n, err := r.Read(make([]byte, 10))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)

	// Seek back: a new range. A small forward seek reads on in it.
	off, err := r.Seek(1000, io.SeekStart)
	require.NoError(t, err)
	assert.EqualValues(t, 1000, off)
	buf := make([]byte, 100)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, data[1000:1100], buf)
	assert.EqualValues(t, 2, cnt.gets.Load())
	off, err = r.Seek(500, io.SeekCurrent)
	require.NoError(t, err)
	assert.EqualValues(t, 1600, off)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, data[1600:1700], buf)
	assert.EqualValues(t, 2, cnt.gets.Load(), "a short forward seek continues the open range")
	off, err = r.Seek(-50, io.SeekEnd)
	require.NoError(t, err)
	assert.EqualValues(t, len(data)-50, off)
	tail, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, data[len(data)-50:], tail)
	_, err = r.Seek(-1, io.SeekStart)
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)

	// ReadAt does not move the Read offset.
	_, err = r.Seek(10, io.SeekStart)
	require.NoError(t, err)
	n, err = r.ReadAt(buf, 200_000)
	require.NoError(t, err)
	assert.Equal(t, 100, n)
	assert.Equal(t, data[200_000:200_100], buf)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, data[10:110], buf, "Read continues where it was, whatever ReadAt did")
	n, err = r.ReadAt(make([]byte, 100), int64(len(data)-40))
	assert.Equal(t, 40, n)
	assert.Equal(t, io.EOF, err, "a ReadAt past the end returns what there is and io.EOF")
	n, err = r.ReadAt(buf, int64(len(data)))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
	_, err = r.ReadAt(buf, -1)
	require.ErrorIs(t, err, objstore.ErrInvalidArgument)

	// A sequential ReadAt reader (io.SectionReader) costs few requests.
	gets := cnt.gets.Load()
	sec, err := io.ReadAll(io.NewSectionReader(r, 4096, 100<<10))
	require.NoError(t, err)
	assert.Equal(t, data[4096:4096+100<<10], sec)
	assert.LessOrEqual(t, cnt.gets.Load()-gets, int64(2), "a sequential ReadAt reader continues its range")

	// Concurrent ReadAt calls, also with Read.
	var wg sync.WaitGroup
	errs := make(chan error, 9)
	for g := range 8 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(g), 1))
			p := make([]byte, 3000)
			for range 10 {
				o := rnd.Int64N(int64(len(data) - len(p)))
				if _, err := r.ReadAt(p, o); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(p, data[o:o+int64(len(p))]) {
					errs <- fmt.Errorf("ReadAt at %d returned other bytes", o)
					return
				}
			}
		})
	}
	wg.Go(func() {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			errs <- err
			return
		}
		all, err := io.ReadAll(r)
		if err == nil && !bytes.Equal(all, data) {
			err = errors.New("a Read alongside ReadAt calls returned other bytes")
		}
		if err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	_, err = r.Read(buf)
	require.ErrorIs(t, err, objstore.ErrClosed)
	_, err = r.ReadAt(buf, 0)
	require.ErrorIs(t, err, objstore.ErrClosed)
	_, err = r.Seek(0, io.SeekStart)
	require.ErrorIs(t, err, objstore.ErrClosed)
}

// testOpenObjectTestReader runs iotest.TestReader (small reads, every kind
// of Seek, ReadAt of every single byte) and checks that it stays a few
// requests.
func testOpenObjectTestReader(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	cnt := &counting{Backend: b}
	c := newClient(cnt)
	data := pattern(20<<10, 3)
	_, err := c.PutObject(ctx, "io/small.bin", bytes.NewReader(data), nil)
	require.NoError(t, err)
	r, err := c.OpenObject(ctx, "io/small.bin")
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, iotest.TestReader(r, data))
	assert.LessOrEqual(t, cnt.gets.Load(), int64(12), "20480 one-byte ReadAt calls in a row continue one range")
}

func testOpenObjectChanged(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	v1, v2 := pattern(100<<10, 1), pattern(100<<10, 2)
	_, err := c.PutObject(ctx, "io/changing", bytes.NewReader(v1), nil)
	require.NoError(t, err)
	r, err := c.OpenObject(ctx, "io/changing")
	require.NoError(t, err)
	defer r.Close()
	head := make([]byte, 10)
	_, err = io.ReadFull(r, head)
	require.NoError(t, err)
	assert.Equal(t, v1[:10], head)
	p := make([]byte, 1000)
	_, err = r.ReadAt(p, 50_000)
	require.NoError(t, err)
	assert.Equal(t, v1[50_000:51_000], p)

	// Overwritten with as many bytes: every new range fails, none mixes.
	_, err = c.PutObject(ctx, "io/changing", bytes.NewReader(v2), nil)
	require.NoError(t, err)
	n, err := r.ReadAt(p, 80_000)
	require.ErrorIs(t, err, objstore.ErrChanged)
	assert.Equal(t, 0, n)
	assert.Contains(t, err.Error(), "io/changing")
	_, err = r.Seek(90_000, io.SeekStart)
	require.NoError(t, err)
	n, err = r.Read(p)
	require.ErrorIs(t, err, objstore.ErrChanged)
	assert.Equal(t, 0, n)

	// A reader opened on the new version reads it.
	r2, err := c.OpenObject(ctx, "io/changing")
	require.NoError(t, err)
	defer r2.Close()
	_, err = r2.ReadAt(p, 80_000)
	require.NoError(t, err)
	assert.Equal(t, v2[80_000:81_000], p)

	// Removed: ErrChanged and ErrNotFound.
	require.NoError(t, c.RemoveObject(ctx, "io/changing"))
	_, err = r2.ReadAt(p, 10_000)
	require.ErrorIs(t, err, objstore.ErrChanged)
	require.ErrorIs(t, err, objstore.ErrNotFound)
}

func testOpenObjectErrors(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	_, err := c.OpenObject(ctx, "io/missing")
	requireErrorNames(t, err, objstore.ErrNotFound, "io/missing")
	_, err = c.OpenObject(ctx, "io//bad")
	require.ErrorIs(t, err, objstore.ErrInvalidKey)

	w, err := c.PutStreamObject(ctx, "io/stream", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("chunk"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	_, err = c.OpenObject(ctx, "io/stream")
	require.ErrorIs(t, err, objstore.ErrNotFound, "a stream object is not an object")

	putString(t, ctx, c, "io/empty", "", nil)
	r, err := c.OpenObject(ctx, "io/empty")
	require.NoError(t, err)
	defer r.Close()
	assert.EqualValues(t, 0, r.Size())
	n, err := r.Read(make([]byte, 10))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
	n, err = r.ReadAt(make([]byte, 10), 0)
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
}

func testExists(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	exists := func(name string) bool {
		t.Helper()
		ok, err := c.Exists(ctx, name)
		require.NoError(t, err, "Exists(%q)", name)
		return ok
	}
	putString(t, ctx, c, "ex/obj", "x", nil)
	putString(t, ctx, c, "ex/dir/inner", "x", nil)
	assert.True(t, exists("ex/obj"))
	assert.False(t, exists("ex/missing"))
	assert.False(t, exists("ex/dir"), "a directory implied by keys is neither an object nor a stream")
	assert.False(t, exists("ex/ob"), "a prefix of a key is not a name")

	// A stream in progress exists before its first chunk, and after it.
	w, err := c.PutStreamObject(ctx, "ex/live", nil)
	require.NoError(t, err)
	assert.True(t, exists("ex/live"))
	_, err = w.Write([]byte("c0"))
	require.NoError(t, err)
	assert.True(t, exists("ex/live"))
	require.NoError(t, w.Close())
	assert.True(t, exists("ex/live"), "a closed stream with chunks")

	// A stream closed before its first chunk leaves nothing.
	w, err = c.PutStreamObject(ctx, "ex/nothing", nil)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.False(t, exists("ex/nothing"))

	ok, err := c.Exists(ctx, "ex//bad")
	require.ErrorIs(t, err, objstore.ErrInvalidKey)
	assert.False(t, ok)

	cl := &closable{Backend: b}
	cc := newClient(cl)
	require.NoError(t, cc.Close())
	ok, err = cc.Exists(ctx, "ex/obj")
	require.ErrorIs(t, err, objstore.ErrClosed, "a failing store is an error, not false")
	assert.False(t, ok)
}

// fsTree is the tree testFSTree stores under "tree/": path -> content.
var fsTree = map[string]string{
	"a.txt":                          "hello, fs\n",
	"empty":                          "",
	"dir/b.txt":                      "bee",
	"dir/sub/deeper/d.txt":           "dee",
	"with space.txt":                 "spaced",
	"hash#fragment?q=1&b=2":          "odd",
	"unicode/日本語/ключ/ü":             "utf-8",
	".hidden":                        "dot",
	"..dots":                         "dots",
	"odd/ leading space segment/x":   "space",
	"odd/brackets[]{}()*":            "glob characters",
	"caps/notes.txt":                 "beside the streams",
	"caps/eth0/nested/stream-sib.md": "a file under a stream's name: the directory wins",
}

func testFSTree(t *testing.T, b backend.Backend) {
	ctx := testContext(t)
	c := newClient(b)
	for p, data := range fsTree {
		putString(t, ctx, c, "tree/"+p, data, nil)
	}
	big := pattern(70<<10, 5)
	_, err := c.PutObject(ctx, "tree/dir/sub/c.bin", bytes.NewReader(big), nil)
	require.NoError(t, err)
	putString(t, ctx, c, "outside.txt", "not in the tree", nil)
	putString(t, ctx, c, "tree-sibling/x", "not in the tree either", nil)

	writeStream := func(name string, closeIt bool, chunks ...string) {
		w, err := c.PutStreamObject(ctx, name, map[string]string{"kind": "stream"})
		require.NoError(t, err)
		for _, ch := range chunks {
			_, err := w.Write([]byte(ch))
			require.NoError(t, err)
		}
		if closeIt {
			require.NoError(t, w.Close())
		} else {
			t.Cleanup(func() { _ = w.Close() })
		}
	}
	writeStream("tree/caps/eth1", true, "one ", "", "two ", "three")
	writeStream("tree/caps/live", false, "partial ", "content")
	writeStream("tree/caps/idle", false)
	// A stream beside a file below its name: the directory wins.
	writeStream("tree/caps/eth0", true, "hidden by the directory")
	// A stream named like a directory: hidden, and its chunks are no
	// entries of the directory.
	writeStream("tree/dir/sub", true, "hidden by the directory too")

	want := map[string]string{
		"dir/sub/c.bin":                  string(big),
		"caps/eth1":                      "one two three",
		"caps/live":                      "partial content",
		"caps/idle":                      "",
		"caps/eth0/nested/stream-sib.md": fsTree["caps/eth0/nested/stream-sib.md"],
	}
	for p, data := range fsTree {
		want[p] = data
	}
	files := slices.Sorted(func(yield func(string) bool) {
		for p := range want {
			if !yield(p) {
				return
			}
		}
	})

	for _, prefix := range []string{"tree/", "tree"} {
		fsys := c.FS(ctx, prefix)
		require.NoError(t, fstest.TestFS(fsys, files...), "FS(%q)", prefix)

		// Exactly these files: no chunk, marker or outside key.
		var walked []string
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				walked = append(walked, p)
			}
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, files, walked, "FS(%q) walks exactly the files of the tree", prefix)
		for p, data := range want {
			got, err := fs.ReadFile(fsys, p)
			require.NoError(t, err, p)
			assert.Equal(t, data, string(got), p)
		}
	}
	fsys := c.FS(ctx, "tree/")

	st, err := fs.Stat(fsys, "caps/eth1")
	require.NoError(t, err)
	assert.EqualValues(t, 13, st.Size())
	assert.False(t, st.IsDir())
	sst, ok := st.Sys().(*objstore.ObjectStats)
	require.True(t, ok, "Sys is an *ObjectStats")
	assert.True(t, sst.IsStream)
	assert.Equal(t, 4, sst.Chunks)
	st, err = fs.Stat(fsys, "caps/live")
	require.NoError(t, err)
	assert.True(t, st.Sys().(*objstore.ObjectStats).InProgress)
	st, err = fs.Stat(fsys, "caps/eth0")
	require.NoError(t, err)
	assert.True(t, st.IsDir(), "a directory wins over a stream of the same name")

	for _, hidden := range []string{"caps/eth1/eth1.0", "caps/eth1/.inprogress", "caps/live/.inprogress", "caps/eth1/eth1", "missing", "dir/sub/sub.0", "tree-sibling"} {
		_, err := fs.Stat(fsys, hidden)
		assert.ErrorIs(t, err, fs.ErrNotExist, hidden)
		_, err = fsys.Open(hidden)
		assert.ErrorIs(t, err, fs.ErrNotExist, hidden)
	}
	entries, err := fs.ReadDir(fsys, "caps")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"eth0", "eth1", "idle", "live", "notes.txt"}, names)

	// A stream file reads across chunk boundaries with ReadAt and Seek.
	f, err := fsys.Open("caps/eth1")
	require.NoError(t, err)
	defer f.Close()
	p := make([]byte, 7)
	n, err := f.(io.ReaderAt).ReadAt(p, 2)
	require.NoError(t, err)
	assert.Equal(t, "e two t", string(p[:n]))
	_, err = f.(io.Seeker).Seek(-5, io.SeekEnd)
	require.NoError(t, err)
	rest, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "three", string(rest))

	// A file is an fs.File with ReaderAt and Seeker; a directory is not readable.
	d, err := fsys.Open("dir")
	require.NoError(t, err)
	_, err = d.Read(p)
	assert.Error(t, err)
	require.NoError(t, d.Close())
	_, err = fsys.ReadDir("a.txt")
	assert.Error(t, err, "ReadDir of a file")
	_, err = fsys.ReadFile("dir")
	assert.Error(t, err, "ReadFile of a directory")

	// An invalid prefix fails every call.
	_, err = c.FS(ctx, "a//b").Open(".")
	require.ErrorIs(t, err, objstore.ErrInvalidKey)
	require.ErrorIs(t, err, fs.ErrInvalid)
	_, err = fsys.Open("/a.txt")
	require.ErrorIs(t, err, fs.ErrInvalid)

	// The whole store, from its root.
	root := c.FS(ctx, "")
	require.NoError(t, fstest.TestFS(root, "outside.txt", "tree-sibling/x", "tree/a.txt", "tree/caps/eth1"))
}
