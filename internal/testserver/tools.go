// Package testserver starts real object-store servers (MinIO, a MinIO
// cluster, versitygw, fake-gcs-server, Azurite) as plain processes for the
// duration of one test.
//
// The servers are installed by `make tools` into the repository's .cache/
// directory, or on first use by the first test that needs one: a plain
// `go test ./...` on a fresh clone builds them (through the same Makefile
// rules, so the pinned versions live in one place, tools.mk). A server that
// cannot be installed fails the test (it is never skipped). Every server
// listens on a free port, uses fresh random credentials and a data
// directory under t.TempDir(), and is killed by t.Cleanup.
package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// ToolsEnv is the environment variable naming the directory where
// `make tools` installed the servers (the Makefile exports it). When it is
// unset, the .cache/ directory beside the module's go.mod is used.
const ToolsEnv = "OBJSTORE_TOOLS"

// ToolsDir returns the directory holding the installed servers: $OBJSTORE_TOOLS
// if set, else .cache/ in the nearest parent of the working directory that
// holds go.mod. It fails the test if neither can be found.
func ToolsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(ToolsEnv); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".cache")
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("testserver: $%s is unset and no go.mod above %s; run `make tools` from the repository root", ToolsEnv, wd)
		}
	}
}

// toolPath returns the path of a tool relative to ToolsDir. When ToolsDir
// is the repository's own .cache/ (the default, or $OBJSTORE_TOOLS naming
// it), a missing or outdated tool is installed first by the Makefile's rule
// for it; any other directory must already hold the tool. A tool that is
// not there fails the test with a hint to run `make tools`.
func toolPath(t testing.TB, rel string) string {
	t.Helper()
	dir := ToolsDir(t)
	p := filepath.Join(dir, rel)
	if root, ok := makefileRoot(dir); ok {
		if err := install(root, dir, p); err != nil {
			t.Fatalf("testserver: installing %s: %v\n(run `make tools` in %s to see the whole output)", rel, err, root)
		}
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testserver: %s not found (%v); run `make tools` to install the test servers", rel, err)
	}
	return p
}

// makefileRoot returns the repository root whose Makefile installs the
// tools into dir: the directory above dir holding go.mod and tools.mk,
// when dir is its .cache/.
func makefileRoot(dir string) (string, bool) {
	root := filepath.Dir(filepath.Clean(dir))
	if filepath.Base(dir) != ".cache" {
		return "", false
	}
	for _, f := range []string{"go.mod", "tools.mk", "Makefile"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			return "", false
		}
	}
	return root, true
}

// installed remembers the tools this process made sure of: make runs once
// per tool and test binary (a no-op of a few milliseconds when the tool is
// current).
var installed sync.Map // path -> *installOnce

type installOnce struct {
	once sync.Once
	err  error
}

// install runs the Makefile's rule for the tool at path, holding an
// exclusive lock on dir/.install.lock, since go test runs the packages
// that need a server as parallel processes, and a first build takes
// minutes.
func install(root, dir, path string) error {
	v, _ := installed.LoadOrStore(path, &installOnce{})
	o := v.(*installOnce)
	o.once.Do(func() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			o.err = err
			return
		}
		lock, err := os.OpenFile(filepath.Join(dir, ".install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			o.err = err
			return
		}
		defer lock.Close()
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			o.err = fmt.Errorf("locking %s: %w", lock.Name(), err)
			return
		}
		cmd := exec.Command("make", "-s", "-C", root, "TOOLS_DIR="+dir, path)
		if out, err := cmd.CombinedOutput(); err != nil {
			o.err = fmt.Errorf("make %s: %w\n%s", path, err, out)
		}
	})
	return o.err
}
