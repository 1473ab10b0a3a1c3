package fs_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	iofs "io/fs"
	"math/rand/v2"
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

// The remove-crash test re-executes the test binary as a child that runs
// RemoveObjects (removeAll, the same calls) on a prefix of many keys; the parent kills it with SIGKILL
// once the removal is under way.
const envRemoveCrashDir = "OBJSTORE_FS_REMOVE_CRASH_DIR"

// removeCrashChild runs the child's part when the environment asks for it
// and then never returns; otherwise it returns false at once.
func removeCrashChild() bool {
	dir := os.Getenv(envRemoveCrashDir)
	if dir == "" {
		return false
	}
	b, err := fs.New(dir, fs.WithStaleTempAge(-1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "remove-crash child:", err)
		os.Exit(3)
	}
	fmt.Println("READY")
	os.Stdout.Sync()
	err = removeAll(context.Background(), b, "logs/")
	fmt.Printf("DONE %v\n", err)
	os.Stdout.Sync()
	time.Sleep(time.Hour) // killed here if the removal won the race
	return true
}

// countFiles counts the regular files under dir (0 if it is missing).
func countFiles(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d iofs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// TestCrashDuringRemoveObjects kills a child with SIGKILL while it runs
// RemoveObjects on 600 keys in nested directories. Whatever the crash
// left, finishing the removal and then putting the directory's own key
// ("logs") must work: empty directories never block a key.
func TestCrashDuringRemoveObjects(t *testing.T) {
	const dirs1, dirs2, perDir = 20, 5, 6 // 600 keys in 100 leaf directories
	var keys []string
	for i := range dirs1 {
		for j := range dirs2 {
			for k := range perDir {
				keys = append(keys, fmt.Sprintf("logs/d%02d/e%d/k%d", i, j, k))
			}
		}
	}
	crashedMidway := 0
	for trial := 0; trial < 20 && crashedMidway < 3; trial++ {
		dir := t.TempDir()
		b, err := fs.New(dir)
		require.NoError(t, err)
		putKeys(t, b, keys...)
		require.NoError(t, b.Close())

		// Kill the child once a random share of the keys is gone.
		stopAt := rand.IntN(len(keys))
		left := killDuringRemove(t, dir, len(keys)-stopAt)
		if left > 0 && left < len(keys) {
			crashedMidway++
		}
		t.Logf("trial %d: killed with %d of %d object files left", trial, left, len(keys))

		// Reopen without any cleanup at New, finish the removal, and put
		// the directory's own key.
		b, err = fs.New(dir, fs.WithStaleTempAge(-1))
		require.NoError(t, err)
		require.NoError(t, removeAll(t.Context(), b, "logs/"))
		assert.Zero(t, countFiles(filepath.Join(dir, "logs")), "RemoveObjects left files")
		_, err = b.Put(t.Context(), "logs", strings.NewReader("now a file"), backend.PutOptions{Size: 10})
		require.NoError(t, err, "trial %d: Put on the key of a directory the crash left empty", trial)
		assert.Equal(t, "now a file", readAll(t, b, "logs"))
		// And the keys below it come back once it is removed.
		require.NoError(t, b.Remove(t.Context(), "logs"))
		putKeys(t, b, keys[0])
		require.NoError(t, b.Close())
	}
	require.NotZero(t, crashedMidway, "no trial killed the child in the middle of the removal")
}

// killDuringRemove starts the child on dir, waits until at most stopAt
// object files are left under dir/logs, kills it with SIGKILL and returns
// how many files were left.
func killDuringRemove(t *testing.T, dir string, stopAt int) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRemoveCrashDir+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "READY" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child did not start (%q, %v); stderr:\n%s", line, err, stderr.String())
	}
	logs := filepath.Join(dir, "logs")
	for countFiles(logs) > stopAt {
		time.Sleep(50 * time.Microsecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "the child must die of SIGKILL")
	ws := exitErr.Sys().(syscall.WaitStatus)
	require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "child status %v", ws)
	return countFiles(logs)
}
