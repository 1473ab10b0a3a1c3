package fs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// The unreadable-entry test re-executes the test binary as the user
// nobody (root ignores file permissions) on a store that holds a
// root-owned 0700 directory and a root-owned 0600 object file.
const envUnprivDir = "OBJSTORE_FS_UNPRIV_DIR"

// unprivResult is what the child reports, as JSON on stdout.
type unprivResult struct {
	Listed      []string // every page of List(""): the objects before the error
	ListErr     string
	ListPerm    bool // errors.Is(ListErr, backend.ErrPermission)
	Paged       []string
	PagedErr    string
	StatErr     string // Stat of a readable object
	Stale       int
	StaleErr    string
	RemoveErr   string
	RemovePerm  bool
	After       []string
	AfterErr    string
	PutBelowErr string // a Put into a readable directory
}

// unprivChild runs the child's part when the environment asks for it and
// exits; otherwise it returns false at once.
func unprivChild() bool {
	dir := os.Getenv(envUnprivDir)
	if dir == "" {
		return false
	}
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	ctx := context.Background()
	b, err := fs.New(dir, fs.WithStaleTempAge(-1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "unpriv child:", err)
		os.Exit(3)
	}
	var res unprivResult
	res.Listed, err = listAll(ctx, b, "", 0)
	res.ListErr, res.ListPerm = errText(err), errors.Is(err, backend.ErrPermission)
	token := ""
	for range 100 {
		page, err := b.List(ctx, backend.ListOptions{PageSize: 1, Token: token})
		if err != nil {
			res.PagedErr = err.Error()
			break
		}
		for _, o := range page.Objects {
			res.Paged = append(res.Paged, o.Key)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	_, err = b.Stat(ctx, "a/1")
	res.StatErr = errText(err)
	res.Stale, err = b.RemoveStaleTemps(ctx, 0)
	res.StaleErr = errText(err)
	err = removeAll(ctx, b, "")
	res.RemoveErr, res.RemovePerm = errText(err), errors.Is(err, backend.ErrPermission)
	res.After, err = listAll(ctx, b, "", 0)
	res.AfterErr = errText(err)
	_, err = b.Put(ctx, "m/new", strings.NewReader("new"), backend.PutOptions{Size: 3})
	res.PutBelowErr = errText(err)
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(4)
	}
	os.Exit(0)
	return true
}

// TestUnreadableEntries: as an unprivileged user, a directory and an
// object file the user cannot read hide nothing else. List returns every
// readable object and then an ErrPermission error naming the unreadable
// paths; RemoveObjects removes every readable object and reports the
// unreadable ones; RemoveStaleTemps removes the temp files it can reach.
func TestUnreadableEntries(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: the test makes root-owned files and runs a child as nobody, so it needs root (CI runs the tests as root)")
	}
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	if g, err := user.LookupGroup("nogroup"); err == nil {
		gid, _ = strconv.Atoi(g.Gid)
	}

	base := t.TempDir()
	// t.TempDir's directories are 0700: let nobody reach the store.
	require.NoError(t, os.Chmod(filepath.Dir(base), 0o755))
	require.NoError(t, os.Chmod(base, 0o755))
	dir := filepath.Join(base, "store")
	b, err := fs.New(dir)
	require.NoError(t, err)
	putKeys(t, b, "a/1", "b/2", "m/locked", "m/ok", "secret/hidden", "secret/deep/x", "z")
	require.NoError(t, b.Close())
	stale := filepath.Join(dir, "a", fs.TempPrefix+"0123456789abcdef")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o644))
	hiddenStale := filepath.Join(dir, "secret", fs.TempPrefix+"0123456789abcdef")
	require.NoError(t, os.WriteFile(hiddenStale, []byte("half"), 0o644))
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	require.NoError(t, filepath.WalkDir(dir, func(p string, _ iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}))
	require.NoError(t, filepath.WalkDir(filepath.Join(dir, "secret"), func(p string, _ iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 0, 0)
	}))
	require.NoError(t, os.Chmod(filepath.Join(dir, "secret"), 0o700))
	require.NoError(t, os.Lchown(filepath.Join(dir, "m", "locked"), 0, 0))
	require.NoError(t, os.Chmod(filepath.Join(dir, "m", "locked"), 0o600))

	// The test binary lives in a 0700 build directory: copy it.
	exe, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	bin := filepath.Join(base, "fs.test")
	require.NoError(t, os.WriteFile(bin, exe, 0o755))

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "setpriv", "--reuid="+strconv.Itoa(uid), "--regid="+strconv.Itoa(gid), "--clear-groups",
		bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), envUnprivDir+"="+dir)
	cmd.Dir = base
	out, err := cmd.Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "child: %s", stderr)
	var res unprivResult
	require.NoError(t, json.Unmarshal(out, &res), "child output %q", out)
	t.Logf("child: %+v", res)

	readable := []string{"a/1", "b/2", "m/ok", "z"}
	names := func(what, msg string) {
		t.Helper()
		assert.Contains(t, msg, `"secret/"`, "%s must name the unreadable directory", what)
		assert.Contains(t, msg, `"m/locked"`, "%s must name the unreadable object file", what)
	}
	assert.Equal(t, readable, res.Listed, "List must return every readable object")
	assert.True(t, res.ListPerm, "the listing's error must be ErrPermission: %s", res.ListErr)
	names("the listing's error", res.ListErr)
	assert.Equal(t, readable, res.Paged, "List in pages of 1 must return every readable object")
	names("the paged listing's error", res.PagedErr)
	assert.Empty(t, res.StatErr)

	assert.Equal(t, 1, res.Stale, "RemoveStaleTemps must remove the temp file it can reach")
	assert.Contains(t, res.StaleErr, "secret", "RemoveStaleTemps must report the unreadable directory")
	assert.NoFileExists(t, stale)
	assert.FileExists(t, hiddenStale)

	assert.True(t, res.RemovePerm, "RemoveObjects' error must be ErrPermission: %s", res.RemoveErr)
	names("RemoveObjects' error", res.RemoveErr)
	assert.Empty(t, res.After, "RemoveObjects must remove every readable object")
	names("the listing after RemoveObjects", res.AfterErr)
	assert.Empty(t, res.PutBelowErr)
	for _, p := range []string{"secret/hidden", "secret/deep/x", "m/locked", "m/new"} {
		assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(p)))
	}
	for _, p := range []string{"a", "b", "z", "m/ok"} {
		assert.NoFileExists(t, filepath.Join(dir, filepath.FromSlash(p)))
		assert.NoDirExists(t, filepath.Join(dir, filepath.FromSlash(p)))
	}
}
