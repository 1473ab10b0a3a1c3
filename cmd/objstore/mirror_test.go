package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
)

// tree is the files under dir, by slash-separated relative name.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	}))
	return out
}

// keys lists the store with the library (flat: a stream shows as its
// chunks).
func keys(t *testing.T, store string) []string {
	t.Helper()
	cl, err := objstore.Open(t.Context(), store)
	require.NoError(t, err)
	defer cl.Close()
	out, err := cl.ListObjects(t.Context(), "")
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

func TestCpRecursive(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	other := "file://" + filepath.Join(t.TempDir(), "o")
	files := map[string]string{
		"x.txt":     "one",
		"a/y":       "two",
		"a/b/z.bin": string(payload(200_000)),
	}
	for name, data := range files {
		c.writeFile("src/"+name, []byte(data))
	}

	// Tree up: a directory to a prefix ("caps" is the folder "caps/").
	r := c.ok("", "cp", "-r", "src", store+"#caps")
	assert.Contains(t, r.stdout, "copied 3 files (200006 bytes)")
	assert.Equal(t, []string{"caps/a/b/z.bin", "caps/a/y", "caps/x.txt"}, keys(t, store))
	assert.Equal(t, files["a/b/z.bin"], c.ok("", "--url", store, "cat", "caps/a/b/z.bin").stdout)

	// Tree down: a prefix (of the --url store) to a directory.
	c.ok("", "--url", store, "cp", "-r", ":caps/", "down")
	assert.Equal(t, files, tree(t, c.path("down")))

	// Prefix to prefix in one store (server-side) and to another store,
	// a closed stream object included, copied as a stream.
	c.ok("hello stream", "--url", store, "stream", "put", "caps/s1")
	r = c.ok("", "--json", "cp", "-r", "--jobs", "1", store+"#caps", store+"#copy/")
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 5)
	assert.Equal(t, float64(4), lines[4]["files"])
	assert.Equal(t, "hello stream", c.ok("", "--url", store, "stream", "get", "copy/s1").stdout)
	assert.Equal(t, files["a/y"], c.ok("", "--url", store, "cat", "copy/a/y").stdout)
	for range 2 { // again: objects and the stream are replaced
		c.ok("", "cp", "-r", store+"#caps", other)
	}
	assert.Equal(t, []string{"a/b/z.bin", "a/y", "s1/s1.0", "x.txt"}, keys(t, other))
	assert.Equal(t, "hello stream", c.ok("", "--url", other, "stream", "get", "s1").stdout)
	// A stream to a local directory is one file of its bytes.
	c.ok("", "cp", "-r", store+"#caps", "down2")
	assert.Equal(t, "hello stream", string(c.readFile("down2/s1")))

	// Usage errors.
	for _, args := range [][]string{
		{"cp", "-r", "src", "down"},                           // neither side is a store
		{"cp", "-r", store + "#caps", store + "#caps/"},       // the same prefix
		{"cp", "-r", "--jobs", "0", "src", store + "#z"},      // no transfers
		{"cp", "--jobs", "2", "src/x.txt", store + "#k"},      // --jobs without -r
		{"cp", "-r", "--meta", "a=b", "src", store + "#z"},    // per-object flags
		{"mirror", "-", store + "#z"},                         // stdin is no tree
		{"cp", "-r", "src", store + "#bad//prefix"},           // invalid prefix
		{"mirror", "src/x.txt", store + "#z"},                 // a file, not a directory
		{"mirror", "src", "mem://#z"},                         // mem:// refused
		{"mirror", "src", "nosuch://h#z"},                     // unknown scheme
		{"mirror", "src", "nosuch-dir-as-store-url-has-no-#"}, // two local sides
	} {
		r := c.run("", args...)
		assert.Equal(t, exitUsage, r.code, "%q: %s", args, r.stderr)
	}
	r = c.run("", "cp", "-r", "nosuch", store+"#z")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "nosuch")
}

func TestMirrorDryRunAndRemove(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	c.writeFile("src/a", []byte("A"))
	c.writeFile("src/d/b", []byte("BB"))

	// A dry run changes nothing, not even creates the store.
	r := c.ok("", "mirror", "--dry-run", "src", store+"#m")
	assert.Contains(t, r.stdout, "would copy src/a -> "+store+"#m/a (1 byte)")
	assert.Contains(t, r.stdout, "would copy 2 files (3 bytes)")
	_, err := os.Stat(strings.TrimPrefix(store, "file://"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	c.ok("", "mirror", "src", store+"#m")
	c.ok("s", "--url", store, "put", "m/stale", "-")
	c.ok("o", "--url", store, "put", "outside", "-")
	require.NoError(t, os.Remove(c.path("src/a")))
	c.writeFile("src/new", []byte("N"))

	// Dry run of --remove: says what it would remove, removes nothing.
	r = c.ok("", "mirror", "-n", "--remove", "src", store+"#m")
	assert.Contains(t, r.stdout, "would remove "+store+"#m/a\n")
	assert.Contains(t, r.stdout, "would remove "+store+"#m/stale\n")
	assert.Equal(t, []string{"m/a", "m/d/b", "m/stale", "outside"}, keys(t, store))

	// Without --remove nothing is deleted; with it, a true mirror (keys
	// outside the prefix untouched).
	c.ok("", "mirror", "src", store+"#m")
	assert.Equal(t, []string{"m/a", "m/d/b", "m/new", "m/stale", "outside"}, keys(t, store))
	r = c.ok("", "mirror", "--remove", "src", store+"#m")
	assert.Contains(t, r.stdout, "removed 2")
	assert.Equal(t, []string{"m/d/b", "m/new", "outside"}, keys(t, store))

	// Down, with --remove on a local directory.
	c.writeFile("down/extra/old", []byte("old"))
	c.ok("", "mirror", "--remove", store+"#m", "down")
	assert.Equal(t, map[string]string{"d/b": "BB", "new": "N"}, tree(t, c.path("down")))

	// Prefix to prefix with --remove, server-side in one store.
	c.ok("j", "--url", store, "put", "n/junk", "-")
	c.ok("", "mirror", "--remove", ":m", ":n", "--url", store)
	assert.Equal(t, []string{"m/d/b", "m/new", "n/d/b", "n/new", "outside"}, keys(t, store))
}

func TestCpRecursiveJobs(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	want := map[string]string{}
	for i := range 40 {
		name := fmt.Sprintf("d%d/f%02d", i%5, i)
		want[name] = string(payload(1000 + i))
		c.writeFile("src/"+name, []byte(want[name]))
	}
	r := c.ok("", "cp", "-r", "--jobs", "16", "src", store+"#j")
	assert.Contains(t, r.stdout, "copied 40 files")
	c.ok("", "cp", "-r", "-j", "1", store+"#j", "back")
	assert.Equal(t, want, tree(t, c.path("back")))
}

func TestCpRecursiveFailures(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	c.writeFile("src/good1", []byte("1"))
	c.writeFile("src/sub/good2", []byte("22"))
	// Unreadable: a broken link, and (when not root) a file without read
	// permission.
	require.NoError(t, os.Symlink(filepath.Join(c.dir, "nowhere"), c.path("src/broken")))
	unreadable := os.Getuid() != 0
	if unreadable {
		c.writeFile("src/secret", []byte("s"))
		require.NoError(t, os.Chmod(c.path("src/secret"), 0))
	}

	r := c.run("", "cp", "-r", "src", store+"#p")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `cp "p/broken": reading `+filepath.Join("src", "broken"))
	if unreadable {
		assert.Contains(t, r.stderr, `cp "p/secret": reading `+filepath.Join("src", "secret")+": permission denied")
	}
	assert.Contains(t, r.stderr, "incomplete")
	assert.Contains(t, r.stdout, "copied 2 files (3 bytes)")
	assert.Equal(t, []string{"p/good1", "p/sub/good2"}, keys(t, store))

	// --json: one error object per failure, and the summary.
	r = c.run("", "--json", "cp", "-r", "src", store+"#q")
	assert.Equal(t, exitFailure, r.code)
	var kinds []any
	for _, e := range jsonLines(t, r.stderr) {
		kinds = append(kinds, e["kind"])
	}
	assert.Contains(t, kinds, "not_found")
	sum := jsonLines(t, r.stdout)
	assert.Equal(t, float64(2), sum[len(sum)-1]["files"])
	assert.Equal(t, float64(0), sum[len(sum)-1]["skipped"])
}

func TestCpRecursiveLiveStream(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "s")
	store := "file://" + dir
	c.ok("x", "--url", store, "put", "p/plain", "-")
	cl, err := objstore.Open(t.Context(), store)
	require.NoError(t, err)
	defer cl.Close()
	w, err := cl.PutStreamObject(t.Context(), "p/live", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("chunk"))
	require.NoError(t, err)

	r := c.run("", "cp", "-r", store+"#p", "out")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `stream "p/live" is in progress`)
	assert.Contains(t, r.stderr, "1 skipped")
	assert.Equal(t, map[string]string{"plain": "x"}, tree(t, c.path("out")))

	require.NoError(t, w.Close())
	c.ok("", "cp", "-r", store+"#p", "out")
	assert.Equal(t, map[string]string{"plain": "x", "live": "chunk"}, tree(t, c.path("out")))
}

// One bar for the whole tree copy, only on a terminal.
func TestCpRecursiveProgressBar(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	for i := range 3 {
		c.writeFile(fmt.Sprintf("src/f%d", i), payload(2<<20+i))
	}
	r := c.startPTY(false, "", "cp", "-r", "--jobs", "3", "src", store+"#p")
	require.Equal(t, 0, r.wait(t), r.output())
	screen := r.output()
	assert.Contains(t, screen, "cp src")
	assert.Contains(t, screen, "100%")
	assert.NotContains(t, screen, "src/f0", "one bar for the tree, not one per file")

	r2 := c.ok("", "cp", "-r", "src", store+"#q")
	assert.Empty(t, r2.stderr, "stderr is not a terminal: no bar")
}

// TestMirrorSkipsUpToDate: mirror copies only what the destination lacks
// or holds in another size or older (mc mirror's rule), both ways
// between a directory and a file:// store and between two stores; a second
// run of an unchanged tree copies nothing; --overwrite and cp -r copy
// everything.
func TestMirrorSkipsUpToDate(t *testing.T) {
	c := newCLI(t)
	store := "file://" + filepath.Join(t.TempDir(), "s")
	other := "file://" + filepath.Join(t.TempDir(), "o")
	for name, data := range map[string]string{"a": "A", "d/b": "BB", "d/e/c": "CCC"} {
		c.writeFile("src/"+name, []byte(data))
	}
	// count runs mirror --json and returns its summary's counts.
	type pair struct{ files, upToDate float64 }
	count := func(args ...string) pair {
		t.Helper()
		s := summary(t, c.ok("", append([]string{"--json", "mirror"}, args...)...).stdout)
		return pair{s["files"].(float64), s["up_to_date"].(float64)}
	}

	assert.Equal(t, pair{3, 0}, count("src", store+"#m"))
	assert.Equal(t, pair{0, 3}, count("src", store+"#m"), "unchanged: nothing copied")
	r := c.ok("", "mirror", "src", store+"#m")
	assert.Contains(t, r.stdout, "copied 0 files (0 bytes), 3 up to date from src to "+store+"#m/")

	// Another size: copied again.
	c.writeFile("src/d/b", []byte("BBBB"))
	assert.Equal(t, pair{1, 2}, count("src", store+"#m"))
	assert.Equal(t, "BBBB", c.ok("", "--url", store, "cat", "m/d/b").stdout)
	// The same size but newer than the copy: copied again.
	c.writeFile("src/a", []byte("Z"))
	future := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(c.path("src/a"), future, future))
	assert.Equal(t, pair{1, 2}, count("src", store+"#m"))
	assert.Equal(t, "Z", c.ok("", "--url", store, "cat", "m/a").stdout)
	require.NoError(t, os.Chtimes(c.path("src/a"), time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)))

	// --overwrite copies everything; cp -r too (as cp does).
	assert.Equal(t, pair{3, 0}, count("--overwrite", "src", store+"#m"))
	assert.Contains(t, c.ok("", "cp", "-r", "src", store+"#m").stdout, "copied 3 files (8 bytes) from")

	// Store to directory, store to store (streams included), and the
	// same store (server-side): the second run copies nothing.
	c.ok("s1\n", "--url", store, "stream", "put", "--lines", "m/st")
	for _, dst := range []string{"down", other + "#x", store + "#copy"} {
		assert.Equal(t, pair{4, 0}, count(store+"#m", dst), dst)
		assert.Equal(t, pair{0, 4}, count(store+"#m", dst), dst)
	}
	assert.Equal(t, "s1\n", c.ok("", "--url", other, "stream", "get", "x/st").stdout)

	// A dry run says the same and changes nothing.
	c.writeFile("down/a", []byte("local change"))
	r = c.ok("", "mirror", "-n", store+"#m", "down")
	assert.Contains(t, r.stdout, "would copy "+store+"#m/a -> "+filepath.Join("down", "a"))
	assert.Contains(t, r.stdout, "would copy 1 file (1 byte), 3 up to date")
	assert.Equal(t, "local change", string(c.readFile("down/a")))
}
