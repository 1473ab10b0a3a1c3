package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// TestObjectFileFormat reads an object file with plain tools: the file
// holds exactly the object's bytes, and the attribute user.objstore the
// record v3: content type, checksum, HTTP attributes, metadata
// (docs/fs.md).
func TestObjectFileFormat(t *testing.T) {
	b := newStore(t)
	data := []byte("pcap bytes \x00\x01\x02\n and more")
	md := map[string]string{"Source": "sensor-1", "note": "ünïcode <&> \"quoted\" a=b"}
	http := backend.HTTPAttributes{CacheControl: "max-age=60", ContentDisposition: `attachment; filename="a: b.pcap"`}
	info, err := b.Put(t.Context(), "caps/2024/01/a.pcap", bytes.NewReader(data),
		backend.PutOptions{Size: -1, ContentType: "application/vnd.tcpdump.pcap", Metadata: md, HTTPAttributes: http})
	require.NoError(t, err)

	file := filepath.Join(b.Dir(), "caps", "2024", "01", "a.pcap")
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, data, raw, "the file must hold exactly the object's bytes")
	attr := make([]byte, 4096)
	n, err := unix.Getxattr(file, fs.AttrName, attr)
	require.NoError(t, err)
	sum := backend.ChecksumOf(backend.CRC32C, data)
	assert.Equal(t, "objstore/fs v3\n"+
		"application/vnd.tcpdump.pcap\n"+
		sum.String()+"\n"+
		"cache-control: max-age=60\n"+
		"content-disposition: attachment; filename=\"a: b.pcap\"\n"+
		"\n"+
		"note=ünïcode <&> \"quoted\" a=b\nsource=sensor-1\n", string(attr[:n]))
	assert.True(t, info.Checksum.Equal(sum), "Put's checksum %s, want %s", info.Checksum, sum)
	assert.Equal(t, http, info.HTTPAttributes)

	assert.Len(t, info.ETag, 32)
	st, err := b.Stat(t.Context(), "caps/2024/01/a.pcap")
	require.NoError(t, err)
	assert.Equal(t, info, st, "Put and Stat must report the same info")
	assert.Equal(t, map[string]string{"source": "sensor-1", "note": "ünïcode <&> \"quoted\" a=b"}, st.Metadata)
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(st.LastModified))
	assert.WithinDuration(t, time.Now(), st.LastModified, time.Minute)
}

// TestIfNotExistRace runs many create-only puts of one key at once:
// exactly one wins, each loser gets ErrExist, and the object is the
// winner's.
func TestIfNotExistRace(t *testing.T) {
	b := newStore(t)
	for round := range 20 {
		key := fmt.Sprintf("race/%d/key", round)
		const n = 8
		var wins atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				data := fmt.Sprintf("writer %d", i)
				_, err := b.Put(t.Context(), key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data)), IfNotExist: true})
				if err == nil {
					wins.Add(1)
					winner.Store(data)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "round %d", round)
		for _, err := range errs {
			if err != nil {
				assert.ErrorIs(t, err, backend.ErrExist)
			}
		}
		assert.Equal(t, winner.Load(), readAll(t, b, key))
	}
	assert.Empty(t, tempFiles(t, b.Dir()))
}

// TestPutRacesDirectoryCleanup puts and removes keys in the same deep
// directories at once: a Remove that prunes a directory just made by a
// Put must never make that Put fail.
func TestPutRacesDirectoryCleanup(t *testing.T) {
	b := newStore(t)
	const workers, rounds = 6, 60
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				key := fmt.Sprintf("d/e/f/%d/w%d", r%3, w)
				if _, err := b.Put(t.Context(), key, strings.NewReader("x"), backend.PutOptions{Size: 1}); err != nil {
					t.Errorf("Put(%q): %v", key, err)
					return
				}
				if err := b.Remove(t.Context(), key); err != nil {
					t.Errorf("Remove(%q): %v", key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, listKeys(t, b, "", 0))
	entries, err := os.ReadDir(b.Dir())
	require.NoError(t, err)
	assert.Empty(t, entries, "directories left behind")
}

// failingReader delivers some bytes and then fails.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	n := min(len(p), f.n)
	for i := range n {
		p[i] = 'x'
	}
	f.n -= n
	return n, nil
}

// TestFailedPutLeavesNothing makes Puts fail in every way before the
// rename: nothing is left (no temp file, no new directory), and an
// existing object is untouched.
func TestFailedPutLeavesNothing(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name string
		put  func(ctx context.Context, b *fs.Backend, key string) error
		want error
	}{
		{"failing reader", func(ctx context.Context, b *fs.Backend, key string) error {
			_, err := b.Put(ctx, key, &failingReader{n: 1 << 20, err: boom}, backend.PutOptions{Size: -1})
			return err
		}, boom},
		{"short reader", func(ctx context.Context, b *fs.Backend, key string) error {
			_, err := b.Put(ctx, key, strings.NewReader("abc"), backend.PutOptions{Size: 4})
			return err
		}, backend.ErrInvalidArgument},
		{"long reader", func(ctx context.Context, b *fs.Backend, key string) error {
			_, err := b.Put(ctx, key, strings.NewReader("abcde"), backend.PutOptions{Size: 4})
			return err
		}, backend.ErrInvalidArgument},
		{"cancelled while copying", func(ctx context.Context, b *fs.Backend, key string) error {
			ctx, cancel := context.WithCancel(ctx)
			r := io.MultiReader(strings.NewReader(strings.Repeat("x", 1<<20)), readerFunc(func([]byte) (int, error) {
				cancel()
				return 0, nil
			}), strings.NewReader("more"))
			_, err := b.Put(ctx, key, r, backend.PutOptions{Size: -1})
			return err
		}, context.Canceled},
		{"cancelled right before the rename", func(ctx context.Context, b *fs.Backend, key string) error {
			ctx, cancel := context.WithCancel(ctx)
			defer fs.SetBeforeCommit(func(string) { cancel() })()
			_, err := b.Put(ctx, key, strings.NewReader("complete"), backend.PutOptions{Size: 8})
			return err
		}, context.Canceled},
		{"cancelled before a create-only link", func(ctx context.Context, b *fs.Backend, key string) error {
			ctx, cancel := context.WithCancel(ctx)
			defer fs.SetBeforeCommit(func(string) { cancel() })()
			_, err := b.Put(ctx, key, strings.NewReader("complete"), backend.PutOptions{Size: 8, IfNotExist: true})
			return err
		}, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newStore(t)
			putKeys(t, b, "old/key")
			before := snapshot(t, b.Dir(), false)
			for _, key := range []string{"old/key", "new/deep/key"} {
				err := tc.put(t.Context(), b, key)
				require.ErrorIs(t, err, tc.want, "Put(%q)", key)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, key, be.Key)
			}
			assert.Equal(t, before, snapshot(t, b.Dir(), false), "a failed put changed the store")
			assert.Equal(t, "old/key", readAll(t, b, "old/key"))
		})
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestKeyDirectoryConflicts covers keys that are the directory of other
// keys: the second put fails with ErrExist naming the other object, and
// nothing is lost; an empty directory in the way is not a conflict.
func TestKeyDirectoryConflicts(t *testing.T) {
	b := newStore(t)
	putKeys(t, b, "a", "c/d", "x/y/z")
	for _, tc := range []struct{ key, other string }{
		{"a/b", `"a"`}, {"a/b/c", `"a"`}, {"c", `"c/d"`}, {"x", `"x/y/z"`}, {"x/y", `"x/y/z"`}, {"x/y/z/w", `"x/y/z"`},
	} {
		for _, ifNotExist := range []bool{false, true} {
			_, err := b.Put(t.Context(), tc.key, strings.NewReader("new"), backend.PutOptions{Size: 3, IfNotExist: ifNotExist})
			require.ErrorIs(t, err, backend.ErrExist, "Put(%q)", tc.key)
			assert.Contains(t, err.Error(), tc.other, "the error must name the conflicting object")
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.key, be.Key)
		}
	}
	assert.Equal(t, []string{"a", "c/d", "x/y/z"}, listKeys(t, b, "", 0))
	for _, k := range []string{"a", "c/d", "x/y/z"} {
		assert.Equal(t, k, readAll(t, b, k))
	}
	// Get, Stat and Remove of such keys: missing, and nothing changes.
	for _, k := range []string{"a/b", "c", "x/y"} {
		_, err := b.Stat(t.Context(), k)
		assert.ErrorIs(t, err, backend.ErrNotFound)
		assert.NoError(t, b.Remove(t.Context(), k))
	}
	assert.Equal(t, []string{"a", "c/d", "x/y/z"}, listKeys(t, b, "", 0))

	// An empty directory at the key (left by a crash, or by another tool)
	// is replaced.
	for _, ifNotExist := range []bool{false, true} {
		key := fmt.Sprintf("empty-%v", ifNotExist)
		require.NoError(t, os.MkdirAll(filepath.Join(b.Dir(), key), 0o755))
		_, err := b.Put(t.Context(), key, strings.NewReader(key), backend.PutOptions{Size: int64(len(key)), IfNotExist: ifNotExist})
		require.NoError(t, err)
		assert.Equal(t, key, readAll(t, b, key))
	}
}

// TestReservedNames stores keys whose segments look like the driver's own
// files: they are escaped on disk, round-trip, and no cleanup removes them.
func TestReservedNames(t *testing.T) {
	b := newStore(t)
	keys := []string{fs.TempPrefix + "1", "d/" + fs.TempPrefix + "2/x", fs.ReservedPrefix + "k-y", fs.ReservedPrefix, ".objstore"}
	putKeys(t, b, keys...)
	// On disk: .objstore-tmp-1 is stored as .objstore-k-tmp-1.
	_, err := os.Stat(filepath.Join(b.Dir(), fs.ReservedPrefix+"k-tmp-1"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(b.Dir(), fs.TempPrefix+"1"))
	require.True(t, errors.Is(err, os.ErrNotExist))

	n, err := b.RemoveStaleTemps(t.Context(), 0)
	require.NoError(t, err)
	assert.Zero(t, n)
	b2, err := fs.New(b.Dir(), fs.WithStaleTempAge(0))
	require.NoError(t, err)
	defer b2.Close()
	assert.Equal(t, withPrefix(keys, ""), listKeys(t, b2, "", 0))
	for _, k := range keys {
		assert.Equal(t, k, readAll(t, b2, k))
	}
}

func TestLongSegment(t *testing.T) {
	b := newStore(t)
	ok := strings.Repeat("s", fs.MaxNameLen)
	putKeys(t, b, "d/"+ok)
	assert.Equal(t, "d/"+ok, readAll(t, b, "d/"+ok))
	for _, key := range []string{strings.Repeat("s", fs.MaxNameLen+1), "d/" + strings.Repeat("é", 128) + "/x", fs.ReservedPrefix + strings.Repeat("r", fs.MaxNameLen-len(fs.ReservedPrefix))} {
		require.NoError(t, backend.ValidateKey("put", key), "the test key must be valid")
		_, err := b.Put(t.Context(), key, strings.NewReader("x"), backend.PutOptions{Size: 1})
		require.ErrorIs(t, err, backend.ErrInvalidKey)
		assert.Contains(t, err.Error(), "255 bytes")
		_, err = b.Stat(t.Context(), key)
		assert.ErrorIs(t, err, backend.ErrInvalidKey)
	}
}

func TestRemovePrunesDirectories(t *testing.T) {
	b := newStore(t)
	putKeys(t, b, "a/b/c/d", "a/b/e", "a/x/y")
	require.NoError(t, b.Remove(t.Context(), "a/b/c/d"))
	_, err := os.Stat(filepath.Join(b.Dir(), "a", "b", "c"))
	assert.True(t, errors.Is(err, os.ErrNotExist), "the empty directory a/b/c is left")
	_, err = os.Stat(filepath.Join(b.Dir(), "a", "b", "e"))
	assert.NoError(t, err)

	require.NoError(t, b.RemoveMany(t.Context(), []string{"a/b/e", "a/x/y", "missing/key", "a/b/e"}))
	entries, err := os.ReadDir(b.Dir())
	require.NoError(t, err)
	assert.Empty(t, entries, "directories left after the last key was removed")
	_, err = os.Stat(b.Dir())
	assert.NoError(t, err, "the root itself must stay")
}

func TestStaleTempAge(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"old", "d/e/old", "new", "d/new"} {
		p := filepath.Join(dir, filepath.FromSlash(filepath.Dir(name)), fs.TempPrefix+filepath.Base(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("partial"), 0o644))
		if strings.HasSuffix(name, "old") {
			old := time.Now().Add(-2 * time.Hour)
			require.NoError(t, os.Chtimes(p, old, old))
		}
	}
	b, err := fs.New(dir) // default age: one hour
	require.NoError(t, err)
	defer b.Close()
	assert.ElementsMatch(t, []string{fs.TempPrefix + "new", "d/" + fs.TempPrefix + "new"}, tempFiles(t, dir))
	_, err = os.Stat(filepath.Join(dir, "d", "e"))
	assert.True(t, errors.Is(err, os.ErrNotExist), "the directory emptied by the cleanup is left")

	b2, err := fs.New(dir, fs.WithStaleTempAge(-1)) // off
	require.NoError(t, err)
	defer b2.Close()
	assert.Len(t, tempFiles(t, dir), 2)
	n, err := b2.RemoveStaleTemps(t.Context(), 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Empty(t, tempFiles(t, dir))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
