package fs_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/fs"
)

// The crash test re-executes the test binary as a child that puts one
// object and stops at the hook right before the rename; the parent kills
// it there with SIGKILL, as a power cut or an OOM kill would.
const (
	envCrashDir  = "OBJSTORE_FS_CRASH_DIR"
	envCrashKey  = "OBJSTORE_FS_CRASH_KEY"
	envCrashData = "OBJSTORE_FS_CRASH_DATA"
	envCrashMode = "OBJSTORE_FS_CRASH_MODE" // "put" or "create" (IfNotExist)
)

// crashChild runs the child's part when the environment asks for it, and
// then never returns; otherwise it returns false at once.
func crashChild() bool {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		return false
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	// The child must not clean the parent's temp files, nor its own.
	b, err := fs.New(dir, fs.WithStaleTempAge(-1))
	if err != nil {
		fail(err)
	}
	fs.SetBeforeCommit(func(tmp string) {
		fmt.Printf("READY %s\n", tmp)
		os.Stdout.Sync()
		time.Sleep(time.Hour) // killed here
	})
	data := []byte(os.Getenv(envCrashData))
	opts := backend.PutOptions{Size: int64(len(data)), IfNotExist: os.Getenv(envCrashMode) == "create"}
	_, err = b.Put(context.Background(), os.Getenv(envCrashKey), bytes.NewReader(data), opts)
	fail(fmt.Errorf("Put returned (%v) instead of stopping at the hook", err))
	return true
}

// runCrashChild starts the child on dir, waits until it stops at the hook,
// kills it with SIGKILL and returns the temp path it reported.
func runCrashChild(t *testing.T, dir, key, data, mode string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashKey+"="+key, envCrashData+"="+data, envCrashMode+"="+mode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child ended before the hook (%v); stderr:\n%s", err, stderr.String())
	}
	tmp, ok := strings.CutPrefix(strings.TrimSpace(line), "READY ")
	require.True(t, ok, "unexpected child output %q", line)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "the child must die of SIGKILL")
	ws := exitErr.Sys().(syscall.WaitStatus)
	require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "child status %v", ws)
	return tmp
}

// tempFiles returns the temp files under dir, relative to it.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), fs.TempPrefix) {
			rel, _ := filepath.Rel(dir, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	}))
	return found
}

func TestCrashBeforeRename(t *testing.T) {
	for _, tc := range []struct {
		name, mode string
		old        string // "" : no object before
	}{
		{"overwrite", "put", "old version"},
		{"create", "put", ""},
		{"create-only", "create", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			const key = "crash/dir/object"
			if tc.old != "" {
				b, err := fs.New(dir)
				require.NoError(t, err)
				_, err = b.Put(t.Context(), key, strings.NewReader(tc.old), backend.PutOptions{Size: int64(len(tc.old))})
				require.NoError(t, err)
				require.NoError(t, b.Close())
			}

			tmp := runCrashChild(t, dir, key, "the new version, never committed", tc.mode)

			// The crash left the complete temp file where the child said.
			require.Equal(t, []string{tmp}, tempFiles(t, dir))
			assert.True(t, strings.HasPrefix(tmp, "crash/dir/"+fs.TempPrefix), "temp %q is not next to the key", tmp)

			// A store opened with the default age keeps the fresh temp
			// file (its writer might be alive), yet never shows it.
			b, err := fs.New(dir)
			require.NoError(t, err)
			defer b.Close()
			require.Equal(t, []string{tmp}, tempFiles(t, dir), "a fresh temp file was removed with the default age")
			page, err := b.List(t.Context(), backend.ListOptions{})
			require.NoError(t, err)
			if tc.old == "" {
				assert.Empty(t, page.Objects)
				_, err := b.Stat(t.Context(), key)
				assert.ErrorIs(t, err, backend.ErrNotFound)
			} else {
				require.Len(t, page.Objects, 1)
				assert.Equal(t, key, page.Objects[0].Key)
				assert.Equal(t, int64(len(tc.old)), page.Objects[0].Size)
				assert.Equal(t, tc.old, readAll(t, b, key))
			}
			for _, prefix := range []string{"crash/dir/", "crash/dir/.o", "crash/dir/" + fs.TempPrefix} {
				page, err := b.List(t.Context(), backend.ListOptions{Prefix: prefix})
				require.NoError(t, err)
				for _, o := range page.Objects {
					assert.Equal(t, key, o.Key, "List(prefix %q) shows something else", prefix)
				}
			}

			// A store opened with age 0 removes it, and the directories it
			// leaves empty.
			b2, err := fs.New(dir, fs.WithStaleTempAge(0))
			require.NoError(t, err)
			defer b2.Close()
			assert.Empty(t, tempFiles(t, dir))
			if tc.old == "" {
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				assert.Empty(t, entries, "the empty directories of the crashed put were not removed")
			} else {
				assert.Equal(t, tc.old, readAll(t, b2, key))
			}
			// And the key works normally afterwards.
			_, err = b2.Put(t.Context(), key, strings.NewReader("after"), backend.PutOptions{Size: 5, IfNotExist: tc.old == ""})
			require.NoError(t, err)
			assert.Equal(t, "after", readAll(t, b2, key))
		})
	}
}
